"""Entity extraction against hand labels on real food-safety news.

    .venv/bin/python benchmarks/nlp_entities_bench.py

Regions: reads ``benchmarks/entities_labels.json`` (the regions named in the first characters
of 40 reports of ../shared/datasets/food_safety, labelled by hand; see its "about"), runs
``nlp.entities`` on the same characters (converted and segmented as the analysis does) and
prints micro precision and recall of the region codes.

Companies and brands: reads ``benchmarks/entities_labels_orgs.json`` (40 other reports the
rules were tuned on, 20 held out in session 5 and tuned on since session 8, and 60 held out
since session 8, "held_out_2"; see its "about") and prints micro precision and recall of the
names per split, strictly (the same string) and leniently (one name contains the other, as
南京雨润 in 南京雨润食品有限公司: the extractor and the labeller disagree on where a name
starts more often than on whether it is one).

``tuning_2`` … ``tuning_7`` (40 to 58 more reports each, labelled for issue 22) are tuning
splits too. ``held_out_3`` (320 reports, 157 naming a firm or brand, drawn by
``benchmarks/entities_draw.py`` and labelled by an AI helper agent reading each text before the
extractor ran on them) is the blind split of issue 22's firms3 pass; held_out_2, read several
times, is no longer blind but keeps its name. Every miss and false find of the tuning splits is
printed; those of the blind splits only with ``--show-blind-errors``, so that tuning the rules on
the printed errors leaves them blind; ``--splits`` scores only the splits named (leave the
blind splits out while tuning, so that their figures too stay unread). Each split prints the
extraction's CPU time per report. The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.text.segment import words
from nlp.entities import extract
from nlp.entities_regions import regions_in
from nlp.text import to_simplified
from nlp.training.evaluation import FOOD_SAFETY, DatasetMissing, dataset_path, read_lines

LABELS = Path(__file__).with_name("entities_labels.json")


LABELS_ORGS = Path(__file__).with_name("entities_labels_orgs.json")


def read_texts(lines: set[int]) -> dict[int, str]:
    try:
        path = dataset_path(FOOD_SAFETY)
    except DatasetMissing as exc:
        sys.exit(str(exc))
    return {n: str(r.get("text", "")) for n, r in read_lines(path) if n in lines and r}


def score_regions() -> dict[str, float]:
    spec = json.loads(LABELS.read_text(encoding="utf-8"))
    gold = {int(line): set(codes) for line, codes in spec["labels"].items()}
    texts = read_texts(set(gold))
    hits = found_total = gold_total = 0
    for line in sorted(gold):
        text = to_simplified(texts[line][: spec["chars"]])
        found = {r.code for r in regions_in(words(text))}
        hits += len(found & gold[line])
        found_total += len(found)
        gold_total += len(gold[line])
        for code in sorted(gold[line] - found):
            print(f"line {line}: missed {code}")
        for code in sorted(found - gold[line]):
            print(f"line {line}: false find {code}")
    precision = hits / found_total if found_total else 0.0
    recall = hits / gold_total if gold_total else 0.0
    print(
        f"regions on {len(gold)} reports: precision {precision:.3f} ({hits}/{found_total}), "
        f"recall {recall:.3f} ({hits}/{gold_total})"
    )
    return {"region_precision": round(precision, 4), "region_recall": round(recall, 4)}


def _overlaps(a: str, b: str) -> bool:
    return a in b or b in a


def _matched(names: list[str], others: list[str], lenient: bool) -> int:
    """How many of ``names`` have a counterpart in ``others`` (each counterpart used once)."""
    left = list(others)
    count = 0
    for name in names:
        match = next((o for o in left if o == name or (lenient and _overlaps(o, name))), None)
        if match is not None:
            left.remove(match)
            count += 1
    return count


# The splits the rules may be tuned on (their errors are printed), then the blind one.
TUNING_SPLITS = (
    "labels",
    "held_out",
    "tuning_2",
    "tuning_3",
    "tuning_4",
    "tuning_5",
    "tuning_6",
    "tuning_7",
)
BLIND_SPLITS = ("held_out_2", "held_out_3")


def score_names(split: str, show_errors: bool = True) -> dict[str, float]:
    """Company and brand figures on one set of labelled reports: "labels" and "held_out" (the
    sets the rules were tuned on) or "held_out_2" (labelled before the extractor saw it).
    Misses and false finds are printed when ``show_errors``."""
    spec = json.loads(LABELS_ORGS.read_text(encoding="utf-8"))
    gold = {int(line): kinds for line, kinds in spec[split].items()}
    texts = read_texts(set(gold))
    figures: dict[str, float] = {}
    print(f"-- {split}")
    found_by_line = {}
    started = time.process_time()
    for line in sorted(gold):
        text = to_simplified(texts[line][: spec["chars"]])
        found_by_line[line] = extract(text, words(text))
    cost = (time.process_time() - started) / max(len(gold), 1)
    print(f"extraction: {cost * 1000:.2f} ms of CPU per report (segmentation included)")
    figures[f"{split}_ms_per_report"] = round(cost * 1000, 2)
    for kind in ("companies", "brands"):
        counts = {"found": 0, "gold": 0, "strict": 0, "lenient_p": 0, "lenient_r": 0}
        for line in sorted(gold):
            found = list(getattr(found_by_line[line], kind))
            truth = list(gold[line][kind])
            counts["found"] += len(found)
            counts["gold"] += len(truth)
            counts["strict"] += _matched(found, truth, lenient=False)
            counts["lenient_p"] += _matched(found, truth, lenient=True)
            counts["lenient_r"] += _matched(truth, found, lenient=True)
            if not show_errors:
                continue
            for name in truth:
                if not any(_overlaps(name, f) for f in found):
                    print(f"line {line}: {kind} missed {name}")
            for name in found:
                if not any(_overlaps(name, t) for t in truth):
                    print(f"line {line}: {kind} false find {name}")
        found_n, gold_n = max(counts["found"], 1), max(counts["gold"], 1)
        strict_p, strict_r = counts["strict"] / found_n, counts["strict"] / gold_n
        lenient_p, lenient_r = counts["lenient_p"] / found_n, counts["lenient_r"] / gold_n
        print(
            f"{kind} on {len(gold)} reports ({counts['gold']} labelled, {counts['found']} found): "
            f"strict precision {strict_p:.3f}, recall {strict_r:.3f}; "
            f"lenient precision {lenient_p:.3f}, recall {lenient_r:.3f}"
        )
        figures.update(
            {
                f"{split}_{kind}_strict_precision": round(strict_p, 4),
                f"{split}_{kind}_strict_recall": round(strict_r, 4),
                f"{split}_{kind}_lenient_precision": round(lenient_p, 4),
                f"{split}_{kind}_lenient_recall": round(lenient_r, 4),
            }
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--show-blind-errors",
        action="store_true",
        help="also print the blind splits' misses and false finds (they are then no longer blind)",
    )
    parser.add_argument(
        "--splits",
        nargs="+",
        choices=TUNING_SPLITS + BLIND_SPLITS,
        default=TUNING_SPLITS + BLIND_SPLITS,
        help="score only these splits (leave the blind ones out while tuning: figures stay unread)",
    )
    args = parser.parse_args()
    figures = score_regions()
    for split in args.splits:
        blind = split in BLIND_SPLITS
        figures.update(score_names(split, show_errors=not blind or args.show_blind_errors))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
