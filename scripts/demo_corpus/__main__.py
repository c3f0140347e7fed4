"""``python -m scripts.demo_corpus [OUT]``: rewrite the demo corpus (default: the committed one)."""

from scripts.demo_corpus.generate import main

raise SystemExit(main())
