"""The Elasticsearch archive backend (beyond one machine)."""
