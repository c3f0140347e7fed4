"""``yuqing train``, ``yuqing score`` and ``yuqing evaluate``: the trained NLP models.

The model files in ``nlp/models/`` are produced by ``yuqing train rumor`` from the shared CED
data set, and their model card's figures by the same run's cross-validation, so what ships can
be rebuilt and checked from data by anyone with the data set.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

import nlp
from nlp.rumor.ced import RecordError, from_record, load_ced, read_jsonl
from nlp.training.evaluation import CED, DatasetMissing, dataset_path

if TYPE_CHECKING:
    from nlp.training.rumor_more import MorePost

# The same paths as nlp.rumor.model.MODEL_PATH, without importing numpy and scikit-learn
# every time any ``yuqing`` command starts.
MODEL_PATH = Path(nlp.__file__).parent / "models" / "rumor.npz"
CARD_PATH = MODEL_PATH.with_name("rumor_card.md")


def _data(path: str | None) -> Path:
    if path:
        return Path(path)
    try:
        return dataset_path(CED)
    except DatasetMissing as exc:
        raise click.UsageError(str(exc)) from None


def _more_posts(more: bool, limit: int | None) -> list[MorePost]:
    """The rumor_more posts (Weibo21, mm17) with their source, if asked for."""
    if not more:
        return []
    from nlp.training.rumor_more import MM17, WEIBO21, load_more

    try:
        paths = [dataset_path(WEIBO21), dataset_path(MM17)]
    except DatasetMissing as exc:
        raise click.UsageError(str(exc)) from None
    return load_more(paths, limit=limit)


def _more_counts(posts: list[MorePost]) -> dict[str, dict[str, int]]:
    """Posts and rumours per rumor_more source, for the model card."""
    counts: dict[str, dict[str, int]] = {}
    for post in posts:
        cell = counts.setdefault(post.source, {"posts": 0, "rumors": 0})
        cell["posts"] += 1
        cell["rumors"] += int(post.item.label == "rumor")
    return counts


_MORE_HELP = "Also train on ../shared/datasets/rumor_more (Weibo21, mm17: other domains, years)."


def _progress(message: str) -> None:
    click.echo(message, err=True)


@click.group()
def train() -> None:
    """Train a model from data (writes the model file and its model card)."""


@train.command("rumor")
@click.option("--data", type=click.Path(exists=True, dir_okay=False), help="CED-format JSONL(.gz).")
@click.option(
    "--output", type=click.Path(dir_okay=False), default=str(MODEL_PATH), show_default=True
)
@click.option("--card", type=click.Path(dir_okay=False), default=str(CARD_PATH), show_default=True)
@click.option("--limit", type=int, default=None, help="Use about N records spread over the file.")
@click.option(
    "--card-only", is_flag=True, help="Rewrite the card from the figures stored in --output."
)
@click.option("--more", is_flag=True, help=_MORE_HELP)
def train_rumor(
    data: str | None, output: str, card: str, limit: int | None, card_only: bool, more: bool
) -> None:
    """Cross-validate, calibrate and fit the rumour model on CED data."""
    from nlp.rumor.model import RumorModel
    from nlp.training.rumor_card import evaluation_from_meta, write_card
    from nlp.training.rumor_train import train as train_model
    from nlp.training.rumor_weights import domains_of

    if card_only:
        stored = RumorModel.load(Path(output))
        write_card(Path(card), stored, evaluation_from_meta(stored.meta))
        click.echo(f"model card {card} rewritten from {output}")
        return

    source = _data(data)
    items = load_ced(source, limit=limit)
    more_posts = _more_posts(more, limit)
    extra = [post.item for post in more_posts]
    click.echo(f"training on {len(items)} posts from {source} and {len(extra)} more", err=True)
    model, evaluation = train_model(
        items,
        progress=_progress,
        source=source.name,
        extra=extra,
        extra_domains=domains_of(0, more_posts).tolist(),
    )
    model.meta["trained_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    if more_posts:
        model.meta["more"] = _more_counts(more_posts)
    model.save(Path(output))
    write_card(Path(card), model, evaluation)
    click.echo(f"model written to {output}; model card to {card}")
    click.echo(json.dumps(evaluation.as_json(), ensure_ascii=False, indent=1))


@click.group()
def score() -> None:
    """Score records with a trained model."""


@score.command("rumor")
@click.option("--input", "input_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--output", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
@click.option("--model", "model_path", type=click.Path(exists=True, dir_okay=False))
def score_rumor(input_path: str, output: str | None, model_path: str | None) -> None:
    """One JSON line per record: id, rumor_probability, label, reasons.

    Records are in the CED format (``text`` required; ``responses``, ``user``, ``time``
    optional). A bad record is reported on stderr with its line number and skipped.
    """
    from nlp.rumor.model import RumorModel

    model = RumorModel.load(Path(model_path) if model_path else MODEL_PATH)
    sink = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    bad = 0
    try:
        for number, record, error in read_jsonl(Path(input_path)):
            if record is not None:
                try:
                    item = from_record(record)
                except RecordError as exc:
                    error = str(exc)
            if error is not None or record is None:
                bad += 1
                click.echo(f"{input_path}:{number}: skipped: {error}", err=True)
                continue
            (result,) = model.score([item])
            sink.write(json.dumps(result.as_json(), ensure_ascii=False) + "\n")
    finally:
        if output:
            sink.close()
    if bad:
        click.echo(f"{bad} record(s) skipped", err=True)


@click.group()
def evaluate() -> None:
    """Print evaluation figures of a model, computed from data."""


@evaluate.command("rumor")
@click.option("--data", type=click.Path(exists=True, dir_okay=False), help="CED-format JSONL(.gz).")
@click.option("--folds", type=int, default=5, show_default=True)
@click.option("--no-baseline", is_flag=True, help="Skip the TF-IDF + logistic regression baseline.")
@click.option("--limit", type=int, default=None, help="Use only the first N records.")
@click.option("--more", is_flag=True, help=_MORE_HELP)
def evaluate_rumor(
    data: str | None, folds: int, no_baseline: bool, limit: int | None, more: bool
) -> None:
    """Grouped k-fold figures at 0, 1, 3, 6, 12, 24 h and all responses, beside the baseline."""
    from nlp.training.rumor_card import figures_table
    from nlp.training.rumor_train import cross_validate, later_period
    from nlp.training.rumor_weights import domains_of

    items = load_ced(_data(data), limit=limit)
    more_posts = _more_posts(more, limit)
    extra = [post.item for post in more_posts]
    domains = domains_of(0, more_posts).tolist()
    evaluation, _, _ = cross_validate(
        items,
        folds=folds,
        with_baseline=not no_baseline,
        progress=_progress,
        extra=extra,
        extra_domains=domains,
    )
    evaluation.period = later_period(items, extra=extra, extra_domains=domains)
    click.echo(figures_table(evaluation))


RELEVANCE_PATH = MODEL_PATH.with_name("relevance.npz")


def _relevance_report(model_path: Path) -> str:
    from nlp.relevance_model import RelevanceModel
    from nlp.training.relevance_train import compare, table

    model = RelevanceModel.load(model_path)
    return (
        "Relevance on the labelled sample (nlp/training/evaluation.py; 'ced' was used for tuning, "
        "'ced_holdout' was labelled blind and looked at once after tuning; 'weibo_blind' is the "
        "blind sample of nlp/training/relevance_blind.py and 'net_blind' the second one of "
        "nlp/training/relevance_blind_net.py, both never tuned on): lexicon (score ≥ "
        "0.5), model alone (p ≥ 0.5), lexicon+model (the TrainedRelevanceScorer, the stage's)\n\n"
        + table(compare(model))
    )


@train.command("relevance")
@click.option(
    "--output", type=click.Path(dir_okay=False), default=str(RELEVANCE_PATH), show_default=True
)
def train_relevance(output: str) -> None:
    """Fit the relevance model on food-safety news, hand- and lexicon-labelled Weibo posts,
    unrelated articles and the domain lexicons (the labelled sample is left out), then print
    its figures."""
    from nlp.training.relevance_train import fit, training_set

    try:
        data = training_set(progress=_progress)
    except DatasetMissing as exc:
        raise click.UsageError(str(exc)) from None
    model = fit(data)
    model.meta["trained_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    model.save(Path(output))
    report = _relevance_report(Path(output))
    card = Path(output).with_name("relevance_card.md")
    card.write_text(_relevance_card(model.meta, report), encoding="utf-8")
    click.echo(f"model written to {output}; model card to {card}")
    click.echo(report)


@evaluate.command("relevance")
@click.option("--model", "model_path", type=click.Path(exists=True, dir_okay=False))
def evaluate_relevance(model_path: str | None) -> None:
    """Precision/recall of the lexicon, the model and both on the labelled sample."""
    try:
        click.echo(_relevance_report(Path(model_path) if model_path else RELEVANCE_PATH))
    except DatasetMissing as exc:
        raise click.UsageError(str(exc)) from None


def _relevance_card(meta: dict[str, object], report: str) -> str:
    from nlp.relevance_model import MODEL_THRESHOLD, MODEL_VETO

    return f"""# Relevance model card (`nlp/models/relevance.npz`)

Written by `yuqing train relevance` on {meta.get("trained_at")}; do not edit (rebuild with
that command; `yuqing evaluate relevance` prints the table again).

- Data: `../shared/datasets/food_safety` (LeonWang91/Food-Safety-Incidents-Classification),
  `../shared/datasets/ced` (CED, Song et al. 2018; part labelled by reading,
  `nlp/training/relevance_labels.py`), `../shared/datasets/rumor_more` (Weibo21, Nan et al.
  2021; mm17, Jin et al. 2017; part of both labelled by reading too, the drawn posts of
  `nlp/training/relevance_drawn_labels.json` and `relevance_net_labels.json`; each label
  file says who read it: AI helper agents, not a person, for the later passes),
  `../shared/datasets/news_pages` (GeneralNewsExtractor's test pages, as off-topic articles)
  and the domain lexicons of
  `nlp/resources/topics.txt`; how they become labels is in `nlp/training/relevance_train.py`.
  Counts: {meta.get("counts")}.
  The posts of the labelled samples (`nlp/training/evaluation.py`, and the blind ones of
  `nlp/training/relevance_blind.py` and `relevance_blind_net.py`) and their near-copies are
  never trained on.
- Model: logistic regression (liblinear, C = {meta.get("C")}, balanced classes, Weibo
  positives weighted) over character 2–3-grams (TF-IDF) of a text's first 300 characters,
  stored as arrays (`numpy.load(allow_pickle=False)`).
- Use: the stage's scorer when this file is shipped (`nlp.relevance.default_scorer`): the
  lexicon fires at 0.5 unless only weak terms fired and the model reads the text as off-topic
  (< {MODEL_VETO}); the model fires at {MODEL_THRESHOLD}; each relevant mention's reasons say
  which (`判定：…`). Knobs chosen on the tuning part (`nlp/training/relevance_tuning.py`: the
  hand-read training posts out of fold; `benchmarks/nlp_relevance_bench.py --tuning`).

{report}
"""
