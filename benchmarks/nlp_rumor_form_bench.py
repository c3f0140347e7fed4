"""The post forms of ``nlp.rumor.form`` against the labelled Weibo sets, and what the context
rules do to the shipped model's post-alone accuracy there.

    .venv/bin/python benchmarks/nlp_rumor_form_bench.py [--model PATH]

On CED (dev), Weibo21 and MM17 (``benchmarks/nlp_rumor_stance_bench.py`` reads them the same
way): per form (a firm about itself, an urged accusation, insinuated hearsay, a witness
account, a heard claim about officials' own conduct) and for the post's stance
(``disbelieves`` and not ``asks``), the rumours and true posts showing it and the likelihood
ratio rumour : true with add-one smoothing; then the model's accuracy from the post alone
(CED calibration, threshold 0.5) on every post, and with the rules laid over it as the stage
lays them (refutation and a firm's own statement capped, a witness capped, a heard claim about
officials' conduct, an urged accusation and insinuated hearsay raised to their floors), and on
the posts each rule changes. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from benchmarks.nlp_rumor_stance_bench import post_alone_scores, rows_per_set
from nlp.normalise import normalise
from nlp.rumor.ced import RumorInput
from nlp.rumor.conduct import conduct_claim
from nlp.rumor.context import (
    AUTHORITY_MAX,
    CONDUCT_MIN,
    INSINUATION_MIN,
    PLEA_MIN,
    REFUTATION_MAX,
    WITNESS_MAX,
)
from nlp.rumor.form import (
    DEFECT,
    FIRST_HAND,
    INSINUATION,
    PLEA,
    accusation_with_plea,
    insinuated_hearsay,
    speaks_for_itself,
    witness_account,
)
from nlp.rumor.hearsay import HEARSAY
from nlp.rumor.model import MODEL_PATH, RumorModel
from nlp.rumor.stance import asks, disbelieves

Rule = Callable[[RumorInput, str], bool]


def _refuting(_: RumorInput, text: str) -> bool:
    return bool(disbelieves(text)) and not asks(text)


def _itself(item: RumorInput, text: str) -> bool:
    return (
        speaks_for_itself(text, item.user.get("verified"), item.user.get("verified_type"))
        is not None
    )


# name → (test, how the stage moves a post that passes it: ("cap" | "floor", bound)); in the
# stage's order (the first that applies decides the cap; floors come after).
RULES: dict[str, tuple[Rule, tuple[str, float]]] = {
    "self": (_itself, ("cap", AUTHORITY_MAX)),
    "refutes": (_refuting, ("cap", REFUTATION_MAX)),
    "witness": (lambda _, t: witness_account(t) is not None, ("cap", WITNESS_MAX)),
    "plea": (lambda _, t: accusation_with_plea(t) is not None, ("floor", PLEA_MIN)),
    "insinuation": (lambda _, t: insinuated_hearsay(t) is not None, ("floor", INSINUATION_MIN)),
    # A heard claim about officials' own conduct (h/rumfix), as the stage raises it without a
    # report repeating it (the sets have no events, so no report).
    "conduct": (lambda _, t: conduct_claim(t) is not None and not asks(t), ("floor", CONDUCT_MIN)),
}


# The forms also counted with the posts that ask (the rules leave those out, as the hearsay
# rule does: a question is not scored as a claim), to show the rule's evidence is the form's.
WITH_ASKING: dict[str, Rule] = {
    "plea_any": lambda _, t: bool(PLEA.search(t) and DEFECT.search(t) and not FIRST_HAND.search(t)),
    "insinuation_any": lambda _, t: bool(HEARSAY.search(t) and INSINUATION.search(t)),
}


def _lr(rumour: int, true: int, rumours: int, trues: int) -> float:
    """Likelihood ratio rumour : true of a form, add-one (half each side) smoothed."""
    return round(((rumour + 0.5) / (rumours + 1)) / ((true + 0.5) / (trues + 1)), 2)


def _accuracy(pairs: list[tuple[float, bool]]) -> float | None:
    if not pairs:
        return None
    return round(sum((p >= 0.5) == truth for p, truth in pairs) / len(pairs), 4)


def _in_context(score: float, passed: dict[str, bool]) -> float:
    for name in ("self", "refutes"):
        if passed[name]:
            return min(score, RULES[name][1][1])
    if passed["witness"]:
        score = min(score, WITNESS_MAX)
    for name in ("conduct", "plea", "insinuation"):
        if passed[name]:
            score = max(score, RULES[name][1][1])
    return score


def evaluate(name: str, items: list[RumorInput], model: RumorModel) -> dict[str, object]:
    scores = post_alone_scores(items, model)
    c: Counter = Counter()
    before: list[tuple[float, bool]] = []
    after: list[tuple[float, bool]] = []
    changed: dict[str, list[tuple[float, float, bool]]] = {rule: [] for rule in RULES}
    for item, score in zip(items, scores, strict=True):
        text = normalise(item.text)
        truth = item.label == "rumor"
        c["rumor" if truth else "true"] += 1
        passed = {rule: test(item, text) for rule, (test, _) in RULES.items()}
        adjusted = _in_context(score, passed)
        before.append((score, truth))
        after.append((adjusted, truth))
        for rule, test in WITH_ASKING.items():
            c[(rule, truth)] += test(item, text)
        for rule, hit in passed.items():
            if hit:
                c[(rule, truth)] += 1
                changed[rule].append((score, adjusted, truth))
    row: dict[str, object] = {"set": name, "posts": len(items), "rumours": c["rumor"]}
    for rule in RULES:
        row[f"{rule}_rumour"] = c[(rule, True)]
        row[f"{rule}_true"] = c[(rule, False)]
        row[f"{rule}_lr"] = _lr(c[(rule, True)], c[(rule, False)], c["rumor"], c["true"])
        hits = changed[rule]
        row[f"{rule}_model_acc"] = _accuracy([(s, t) for s, _, t in hits])
        row[f"{rule}_context_acc"] = _accuracy([(a, t) for _, a, t in hits])
    for rule in WITH_ASKING:
        row[f"{rule}_rumour"] = c[(rule, True)]
        row[f"{rule}_true"] = c[(rule, False)]
    row["model_accuracy_0h"] = _accuracy(before)
    row["context_accuracy_0h"] = _accuracy(after)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=MODEL_PATH)
    args = parser.parse_args()
    rows = rows_per_set(evaluate, args.model)
    print(f"{'figure':<24}" + "".join(f"{r['set']!s:>10}" for r in rows))
    for key in rows[0]:
        if key != "set":
            print(f"{key:<24}" + "".join(f"{r[key]!s:>10}" for r in rows))
    print(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main()
