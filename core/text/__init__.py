"""Text handling every stage shares, below the archive: word segmentation (the archive
indexes and queries with it) and Weibo's markup (the crawlers and the analysis read
it)."""
