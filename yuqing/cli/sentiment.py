"""``yuqing train sentiment``: the stance model of ``nlp/models/sentiment.npz`` and its card.

Trained from texts labelled by reading (``nlp.training.sentiment_hand``) joined to weak labels
(``nlp.training.sentiment_train``: CED responses and posts by their emoticons, food-safety
incident and disaster reports, neutral reports and notices), its run-time
knobs (the lexicon's weight, per-kind offsets) chosen on the tuning split of the labelled
sample (benchmarks/sentiment_labels.json); the held-out figures are
benchmarks/nlp_topics_sentiment_bench.py's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

import nlp
from nlp.training.evaluation import DatasetMissing
from yuqing.cli.nlp import train

SENTIMENT_PATH = Path(nlp.__file__).parent / "models" / "sentiment.npz"


def _progress(message: str) -> None:
    click.echo(message, err=True)


@train.command("sentiment")
@click.option(
    "--output", type=click.Path(dir_okay=False), default=str(SENTIMENT_PATH), show_default=True
)
@click.option(
    "--tuning-weight",
    type=click.FloatRange(min=0.0),
    default=None,
    help="train on the tuning split's texts too, each this weight (knobs then chosen by "
    "grouped 5-fold cross-validation); default nlp.training.sentiment_tuning.TUNING_WEIGHT",
)
def train_sentiment(output: str, tuning_weight: float | None) -> None:
    """Fit the stance model on the hand-labelled training texts and the weak labels (emoticon-
    labelled CED responses, food-safety reports...; the evaluation samples' posts and
    near-copies left out), tune it on the tuning split, write it
    and its model card."""
    from nlp.training.sentiment_check import kept_out_check
    from nlp.training.sentiment_train import fit, training_set
    from nlp.training.sentiment_tuning import TUNING_WEIGHT, tune

    weight = TUNING_WEIGHT if tuning_weight is None else tuning_weight
    try:
        data = training_set(progress=_progress)
        _progress(f"training on {len(data.labels)} texts: {data.counts}")
        model = tune(data, fit, weight=weight, progress=_progress)
        tuning = model.meta["tuning"]
        model.meta["kept_out"] = kept_out_check(model)
    except DatasetMissing as exc:
        raise click.UsageError(str(exc)) from None
    model.meta["trained_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    model.save(Path(output))
    card = Path(output).with_name("sentiment_card.md")
    card.write_text(_card(model.meta), encoding="utf-8")
    click.echo(f"model written to {output}; model card to {card}")
    click.echo(f"tuning split: {tuning}")
    click.echo(f"read texts kept out of training: {model.meta['kept_out']}")


def _card(meta: dict[str, object]) -> str:
    from nlp.training.sentiment_train import HAND_LAST_BATCH

    return f"""# Sentiment model card (`nlp/models/sentiment.npz`)

Written by `yuqing train sentiment` on {meta.get("trained_at")}; do not edit (rebuild with that
command). Figures on the held-out split and per kind of text:
`benchmarks/nlp_topics_sentiment_bench.py`.

- Data: the texts labelled by reading of `nlp/training/sentiment_hand_labels.json`, its batches
  up to {HAND_LAST_BATCH} (later batches are read but not trained on: `HAND_LAST_BATCH` in
  `nlp/training/sentiment_train.py`; drawn away from the evaluation samples and their
  near-copies, each weighted {meta.get("hand_weight")}),
  and weak labels: CED responses (Song et al., "CED: Credible
  Early Detection of Social Media Rumors", 2018; ../shared/datasets/ced) labelled by the
  emoticons of the responder's own words, the emoticons removed from the text; CED posts by
  the side most of their responses take; posts of CED, Weibo21 and mm17 by their own
  emoticons (Weibo21: Nan et al., "MDFEND: Multi-domain Fake News Detection", CIKM 2021; mm17:
  Jin et al., ACM MM 2017; ../shared/datasets/rumor_more); food-safety incident reports
  (LeonWang91/Food-Safety-Incidents-Classification) and Weibo21's 灾难事故 posts as negative;
  Weibo21's non-incident reports (科技, 财经商业, 文体娱乐, 教育考试, 军事) and notices that take
  no side as neutral (`nlp/training/sentiment_posts.py`). Every post the labelled samples
  draw from, and near-copies of their texts, are left out. Counts: {meta.get("counts")}.
- Model: logistic regression, negative / neutral / positive (C = {meta.get("C")}, balanced
  classes), over the words and within-clause word pairs of the analyser's own segmentation
  (TF-IDF, {meta.get("features")} features, min. document frequency {meta.get("min_df")}), plus
  the lexicon's net polarity and, per kind of mention (comment, article, post), a neutral
  bias and a shift toward positive (see `nlp/training/sentiment_train.py`).
- Chosen on the tuning split of benchmarks/sentiment_labels.json (on margins of a model that
  did not train on the text read; `nested`: each fold read with the knobs chosen on the other
  four, `nlp/training/sentiment_tuning.py`): {meta.get("tuning")}.
- Training-distribution check: the read texts of the batches after {HAND_LAST_BATCH}, never
  trained on nor used for a choice, read as the analyser reads them, per kind with
  always-negative beside (`nlp/training/sentiment_check.py`): {meta.get("kept_out")}.
- Use: the analyser's default whenever this file exists (`nlp.sentiment.score_sentiment`);
  without it the lexicon alone decides.
"""
