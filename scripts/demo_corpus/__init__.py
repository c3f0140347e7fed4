"""The generator of the demo corpus ``yuqing/demo/corpus.jsonl`` (not installed with the package).

``material/`` holds the hand-written story text as YAML, one file per story (``stories/``),
plus the shared accounts and users (``corpus.yaml``) and the daily series (``daily.yaml``);
``schema`` validates it at load, ``generate`` places it in time and writes the corpus:
``python -m scripts.demo_corpus [OUT]`` from the repository root.
"""
