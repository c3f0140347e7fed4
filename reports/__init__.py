"""Briefings (舆情日报 / 周报 / 专报) built from the archive.

A data pack first (``reports.datapack``): figures with the queries that produced them and the
items they rest on; prose second (``reports.prose``): Chinese sentences from Jinja2 templates,
each carrying the ids of the mentions or obligations it states; then renderings (Markdown,
.docx, PDF). ``reports.citations`` checks that no factual sentence is without a source.
"""
