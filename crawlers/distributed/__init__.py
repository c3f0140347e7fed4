"""Distributed crawling on a shared Redis frontier (scrapy-redis), for ``yuqing crawl-worker``.

N worker processes on any hosts crawl the same sources together: one request queue and one
duplicate filter per source in Redis (scrapy-redis' scheduler and ``RFPDupeFilter``), a
reliable-queue pattern on top (a popped request is held by its worker until the items it
produced are in the archive, and a dead worker's held requests go back to the queue), a
shared per-domain rate budget, and per-source rounds claimed by one worker at a time. The
one-process ``yuqing run`` never imports this package. See docs/scale-out.md.
"""
