"""The rumour model's card: data, date, parameters and the figures its training run measured.

Written by ``yuqing train rumor`` next to the model file; every figure in it comes from the
cross-validation of that run (nothing is typed in), so the card and the model always agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nlp.rumor.bins import BINNED
from nlp.rumor.model import DENSE, DENSE_CLIP, MAX_RESPONSES, RumorModel
from nlp.rumor.trees import TEXT_C, TREE_OPTIONS
from nlp.training.rumor_train import ANONYMOUS, DUPLICATE_JACCARD, Evaluation, Figures

AIMS = {"0h": 0.92, "1h": 0.95, "all": 0.97}


def _by_horizon(table: dict[str, Figures]) -> list[tuple[str, Figures]]:
    """Rows in time order (0h, 1h, 3h, ..., all): the model file's header stores them sorted
    as strings, which put 12h before 1h."""

    def hours(name: str) -> float:
        if name == ANONYMOUS:
            return float("inf")  # last: it is another kind of row
        return float("inf") if name == "all" else float(name.rstrip("h"))

    return sorted(table.items(), key=lambda item: hours(item[0]))


def figures_table(evaluation: Evaluation) -> str:
    lines = [
        f"{evaluation.posts} posts, {evaluation.near_duplicate_groups_text()}",
        "",
        "| horizon | accuracy | F1 rumor | F1 non-rumor | balanced acc. | Brier | baseline acc. "
        "| baseline F1 rumor | baseline F1 non-rumor | aim |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, fig in _by_horizon(evaluation.model):
        base = evaluation.baseline.get(name)
        base_cells = (
            f"{base.accuracy:.4f} | {base.f1_rumor:.4f} | {base.f1_non_rumor:.4f}"
            if base
            else "— | — | —"
        )
        aim = f"{AIMS[name]:.2f}" if name in AIMS else ""
        lines.append(
            f"| {name} | {fig.accuracy:.4f} | {fig.f1_rumor:.4f} | {fig.f1_non_rumor:.4f} "
            f"| {fig.balanced_accuracy:.4f} | {evaluation.brier.get(name, float('nan')):.4f} "
            f"| {base_cells} | {aim} |"
        )
    if evaluation.period:
        lines += [
            "",
            "Later period (trained on the earliest 70 % of posts by time, tested on the latest "
            "30 %; aim 0.85 balanced accuracy across domains; the last row scores the 0 h posts "
            "without their author's figures, as from a crawler that gives none):",
            "",
            "| horizon | accuracy | balanced acc. | F1 rumor | F1 non-rumor | n |",
            "|---|---|---|---|---|---|",
        ]
        for name, fig in _by_horizon(evaluation.period):
            lines.append(
                f"| {name} | {fig.accuracy:.4f} | {fig.balanced_accuracy:.4f} "
                f"| {fig.f1_rumor:.4f} | {fig.f1_non_rumor:.4f} | {fig.n} |"
            )
    return "\n".join(lines)


def _cap(params: dict[str, Any], block: str) -> str:
    """How a block's vocabulary was chosen, in the card's words."""
    key = "response_min_df" if block == "response" and "response_min_df" in params else "min_df"
    cap = params.get(f"{block}_max_features")
    limit = f"at most {cap} terms" if cap else "no cap on the number of terms"
    return f"terms in ≥ {params.get(key)} training posts, {limit}"


def _bins(params: dict[str, Any]) -> str:
    bins = params.get("bins") or 0
    if not bins:
        return ""
    names = ", ".join(f"`{name}`" for name in BINNED)
    return (
        f"- {names} also as {bins} quantile bins (one indicator each, `nlp.rumor.bins`): the\n"
        "  link between an author's figures and rumours is not monotone. A missing figure is\n"
        f"  its mean (scaled 0, 1/{bins} in each bin): the 57 CED posts without a user are all\n"
        '  rumours (deleted accounts), and a model that could tell "missing" learnt that a post\n'
        "  without author figures (a news article) is a rumour. The post-alone trees leave those\n"
        "  posts to trees of their own, trained without any author figure.\n"
    )


def _weights(params: dict[str, Any]) -> str:
    weights = params.get("horizon_weights") or []
    if not weights:
        return ""
    listed = ", ".join(f"{'all' if h is None else f'{h:g} h'} × {w:g}" for h, w in weights)
    return f" (rows weighted {listed}, the others × 1)"


def _alone(params: dict[str, Any]) -> str:
    modes = set(str(params.get("empty_model") or "").split("+")) - {""}
    if not modes:
        return ""
    how = []
    if "augment" in modes:
        how.append(
            "the shared model is trained with the post n-grams repeated as terms of their own in "
            "the rows without responses (feature augmentation, Daumé 2007), which frees the "
            "shared weights for posts with responses"
        )
    if "separate" in modes:
        how.append(
            f"a post with no response yet is scored by a separate logistic regression "
            f"(C = {params.get('empty_C')}) fitted on the posts alone (the 0 h rows)"
        )
    elif "trees" in modes:
        how.append(
            "a post with no response yet is scored by gradient-boosted trees "
            f"({_tree_options()}; `nlp.rumor.trees`) over the author and post figures above, the "
            "post's form (length, exclamation and question marks, @mentions, #topics#, links, "
            "digits, 【】 headlines, emoticons, Latin letters, pleas to repost) and a text score: "
            f"a logistic regression (C = {TEXT_C:g}) of the post's n-grams, out-of-fold (grouped "
            "inner 5-fold CV) when the trees are fitted; its reasons credit each split's change "
            "of expected log-odds to its feature (Saabas), the text score's share going to the "
            "n-grams"
        )
    elif "augment" in modes:
        how.append("a post with no response yet is scored with the shared plus its own weights")
    return "- Posts without responses (`RumorModel.empty_of`): " + "; ".join(how) + ".\n"


_MORE_SOURCES = {
    "weibo21": 'Weibo21 (Nan et al.: "MDFEND: Multi-domain Fake News Detection", CIKM 2021; '
    "kennqiang/MDFEND-Weibo21; nine domains, no dates)",
    "mm17": 'mm17 (the Weibo data of Jin et al.: "Multimodal Fusion with Recurrent Neural '
    'Networks for Rumor Detection on Microblogs", ACM MM 2017, as shipped with EANN, '
    "yaqingwang/EANN-KDD18; posts of 2012–2016)",
}


def _more(meta: dict[str, Any]) -> str:
    """The rumor_more part of the data (``yuqing train rumor --more``), if it was used."""
    more = meta.get("more") or {}
    if not more:
        return ""
    sets = "; ".join(
        f"{_MORE_SOURCES.get(name, name)}: {cell['posts']} posts, {cell['rumors']} rumours"
        for name, cell in sorted(more.items())
    )
    return (
        f"- And `../shared/datasets/rumor_more/` (`--more`): {sets}. Posts without responses\n"
        "  or author figures (`nlp.training.rumor_more`), from other domains and years than\n"
        "  CED. The data set removed near-copies of an evaluation set kept aside, near-copies\n"
        "  of any CED post and every COVID-19 item (kept for a cross-domain evaluation); this\n"
        "  run read the files as they are. These posts join every training fold of the\n"
        "  cross-validation and the later-period split and are never scored: every figure\n"
        "  below, and the calibration, is of CED posts only.\n" + _domain_weights(meta)
    )


def _domain_weights(meta: dict[str, Any]) -> str:
    """How the post-alone trees weighed the training posts of several domains."""
    params = meta.get("params") or {}
    mode = params.get("domain_weights") or ""
    if not mode:
        return ""
    also = ",\n  and CED, mm17 and Weibo21 weigh the same in total" if mode == "sources" else ""
    scale = float(params.get("text_copies") or 0)
    copies = (
        "- Their text score is fitted with every n-gram also copied per training domain (times\n"
        f"  {scale:g}, and an intercept per domain; `nlp.rumor.trees.TextModel`, Daumé 2007) and\n"
        "  scores with the shared part only: what one domain's posts alone say is left to its\n"
        "  copy.\n"
        if scale
        else ""
    )
    return (
        f"- The post-alone trees weigh the training posts by domain (`{mode}`,\n"
        "  `nlp.training.rumor_weights`): rumours and true posts weigh the same within CED,\n"
        f"  mm17 and each Weibo21 domain{also}; a domain's topic words do not carry its\n"
        "  rumour rate.\n" + copies
    )


def _drift(meta: dict[str, Any]) -> str:
    if not meta.get("more"):
        return (
            "- One data set of 2012–2014 Weibo; rumours of other periods and domains will score\n"
            "  worse (the later-period split above is the estimate of that drift).\n"
        )
    return (
        "- Weibo posts of 2010–2021 (COVID-19 items left out); the figures above are CED's\n"
        "  (2012–2014). Other domains and periods are measured by the held-out splits of\n"
        "  `nlp.training.rumor_domains` (`benchmarks/nlp_rumor_bench.py --more`), not here.\n"
    )


def _anonymous_gap(evaluation: Evaluation) -> str:
    """How much the later-period 0 h figure loses without author figures, from this run."""
    with_them, without = evaluation.period.get("0h"), evaluation.period.get(ANONYMOUS)
    if with_them is None or without is None:
        return ""
    gap = with_them.balanced_accuracy - without.balanced_accuracy
    return (
        f" (the later-period\n  row without author figures: {gap:.3f} balanced accuracy "
        "lower than with them)"
    )


def _tree_options() -> str:
    return ", ".join(f"{key} {value:g}" for key, value in TREE_OPTIONS.items())


def _platt_empty(model: RumorModel) -> str:
    if model.post_alone is None or model.platt_empty is None:
        return ""
    a, b = model.platt_empty
    return f"; for the trees' log-odds a = {a:.4f}, b = {b:.4f}"


def write_card(path: Path, model: RumorModel, evaluation: Evaluation) -> None:
    meta = model.meta
    params = meta.get("params", {})
    took = (
        f" (its cross-validation took {evaluation.seconds:.0f} s on the machine that trained it)"
        if evaluation.seconds
        else " (tens of minutes: five folds of models fitted on ~7,000 rows each)"
    )
    dense = ", ".join(f"`{name}` ({label})" for name, label in DENSE)
    bins = _bins(params)
    calibration = "a = {:.4f}, b = {:.4f}".format(*model.platt)
    more_flag = " --more" if meta.get("more") else ""
    drift = _drift(meta)
    anonymous_gap = _anonymous_gap(evaluation)
    text = f"""# Rumour model card (`nlp/models/rumor.npz`)

Written by `yuqing train rumor` on {meta.get("trained_at", "?")}; rebuild with
`.venv/bin/yuqing train rumor{more_flag}`{took}. Do not edit: the figures below are printed by
that run and stored in the model file (`yuqing train rumor --card-only` rewrites this card from
them; `yuqing evaluate rumor` recomputes them without writing files).

## Data
- `{meta.get("trained_on", "?")}` from `../shared/datasets/ced/`: the development split of
  CED (Song, Yang, Chen, Tu, Liu, Sun: "CED: Credible Early Detection of Social Media
  Rumors", IEEE TKDE 2019 / arXiv 1811.04175; thunlp/Chinese_Rumor_Dataset), Sina Weibo posts
  labelled by Weibo's false-information reporting platform, with their reposts and comments.
  {meta.get("posts", "?")} posts, {meta.get("rumors", "?")} rumours.
- Not in the repository (the data set's rules) and not the held-out CED split, which is
  kept aside by the data set's owners to evaluate this model.
{_more(meta)}
## Model
- Logistic regression (liblinear, C = {params.get("C")}) over: the post's character
  {tuple(params.get("post_ngram", ()))}-grams (TF-IDF, sublinear tf, {_cap(params, "post")}) and
  jieba-word {tuple(params.get("word_ngram", ()))}-grams (domain dictionary loaded;
  {_cap(params, "word")}); the responses' character
  {tuple(params.get("response_ngram", ()))}-grams (the earliest {MAX_RESPONSES} responses
  known at scoring time, {_cap(params, "response")}); and {dense}.
{bins}- The scaled author and response features are clipped to ±{DENSE_CLIP:g} standard
  deviations (`nlp.rumor.model.DENSE_CLIP`: one doubting reply to a new post must not decide
  alone).
- Trained on every post at the horizons {params.get("train_horizons")} (hours after posting;
  null = all responses), so one model scores a post at any age{_weights(params)}.
{_alone(params)}- Calibrated by Platt scaling ({calibration}{_platt_empty(model)})
  fitted on the out-of-fold decision values of the cross-validation below.
- Stored as arrays in an `.npz` read with `numpy.load(allow_pickle=False)`: no code is
  unpickled. Final repost/comment/like counts of the record are not used (they are not known
  at scoring time).
- Reasons: the n-grams, response doubt phrases and author features with the largest
  contributions (coefficient × value, in calibrated log-odds).

## Figures (grouped 5-fold cross-validation)
Near-duplicate posts (character 3-shingle Jaccard ≥ {DUPLICATE_JACCARD}, connected
components) are kept in one fold. "Horizon" is how many hours of responses after posting the
model saw. Baseline (the issue's ten-minute one): character 1–3-gram TF-IDF of post and
responses, a linear SVM with default settings, trained and tested at the same horizon, in the
same grouped folds.

{figures_table(evaluation)}

## Limits
{drift}- Text is converted from Traditional to Simplified (OpenCC t2s) before the model reads it;
  Cantonese or Taiwanese wording still differs from the mainland Weibo text it learnt from.
- Posts from sites that give no author figures are scored by the text alone{anonymous_gap}.
- A mention matching a known debunk is flagged by `nlp.rumor.score.DebunkIndex`, whatever this model
  says.
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def evaluation_from_meta(meta: dict[str, Any]) -> Evaluation:
    """The training run's figures as stored in the model file's header."""
    stored = meta["evaluation"]

    def figures_of(table: dict[str, dict[str, float]]) -> dict[str, Figures]:
        return {
            name: Figures(
                accuracy=f["accuracy"],
                f1_rumor=f["f1_rumor"],
                f1_non_rumor=f["f1_non_rumor"],
                balanced_accuracy=f["balanced_accuracy"],
                n=int(f["n"]),
            )
            for name, f in table.items()
        }

    return Evaluation(
        model=figures_of(stored["model"]),
        baseline=figures_of(stored.get("baseline", {})),
        brier=dict(stored.get("brier", {})),
        period=figures_of(stored.get("later_period", {})),
        groups=int(stored["near_duplicate_groups"]),
        posts=int(stored["posts"]),
        seconds=float(stored.get("seconds", 0.0)),
    )
