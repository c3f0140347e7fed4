"""Project scripts: shell set-up scripts, and generators that are not installed (demo_corpus)."""
