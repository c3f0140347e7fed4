"""Site-specific spiders shipped as plug-ins (``type: plugin`` sources, docs/plugins.md)."""
