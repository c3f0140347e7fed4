"""The pretrained encoder of benchmarks/encoder_probe.py: fetched from Maven Central by
`make setup` (nlp/training/encoder.py), run for real."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from nlp.training import encoder as enc


@pytest.fixture(scope="module")
def model() -> enc.Encoder:
    return enc.Encoder(enc.fetch())


def test_fetch_is_done_once_and_keeps_the_pinned_files() -> None:
    home = enc.fetch()
    stamps = {name: (home / name).stat().st_mtime_ns for name in enc.SHA256}
    assert enc.fetch() == home
    for name, digest in enc.SHA256.items():
        assert (home / name).stat().st_mtime_ns == stamps[name]
        assert enc._sha256(home / name) == digest


def test_a_jar_whose_model_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with zipfile.ZipFile(downloads / enc.JAR, "w") as jar:
        for name in enc.SHA256:
            jar.writestr(name, b"not the model")
    with pytest.raises(enc.EncoderError, match=enc.MODEL):
        enc.fetch(tmp_path)
    assert not (tmp_path / f"bge-small-zh-v15-q-{enc.VERSION}" / enc.MODEL).exists()


def test_texts_about_the_same_incident_are_closer_than_unrelated_ones(
    model: enc.Encoder,
) -> None:
    vectors = model.embed(
        [
            "小区电梯突然下坠，三名居民被困一小时",
            "某小区一部电梯困人，市场监管局已介入调查",
            "周末去公园看了樱花，天气真好",
        ]
    )
    assert vectors.shape == (3, enc.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    similar, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert similar > unrelated + 0.2


def test_a_text_reads_nearly_the_same_alone_and_in_a_batch_of_longer_ones(
    model: enc.Encoder,
) -> None:
    # Dynamically quantised: activations are scaled per batch, so a batch's other texts move a
    # vector a little (cosine 0.993 here), never to another meaning.
    text = "网传某品牌奶粉致癌，系谣言"
    alone = model.embed([text])[0]
    batched = model.embed(["这是一段长得多的文字，" * 8, text, "另一条微博"])[1]
    assert float(alone @ batched) > 0.98


def test_embeddings_are_cached_by_the_texts(model: enc.Encoder, tmp_path: Path) -> None:
    texts = ["锅炉爆炸", "食品抽检不合格"]
    first = enc.embed_cached(model, texts, tmp_path)
    assert len(list(tmp_path.glob("*.npy"))) == 1

    class Refusing(enc.Encoder):
        def __init__(self) -> None:  # no model: a second encoding would fail the test
            pass

        def embed(self, texts, progress=None):
            raise AssertionError("encoded again instead of reading the cache")

    assert np.array_equal(enc.embed_cached(Refusing(), texts, tmp_path), first)
    other = enc.embed_cached(model, ["电梯困人"], tmp_path)
    assert other.shape == (1, enc.DIMENSIONS)
    assert len(list(tmp_path.glob("*.npy"))) == 2
