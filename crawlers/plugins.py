"""Which spider crawls a source: a built-in type, or a site-specific plug-in named in the YAML.

A plug-in is any ``crawlers.spiders.base.SourceSpider`` subclass importable by the crawler's
Python (``type: plugin`` with ``plugin: package.module:Class``): it gets the same context,
pipelines, health records and politeness as the built-in spiders, so a spider for a
login-walled or signed site is added without touching the pipeline (docs/plugins.md).
"""

from __future__ import annotations

import importlib

from core.settings import SourceSettings
from crawlers.spiders import SPIDERS
from crawlers.spiders.base import SourceSpider

__all__ = ["PluginError", "spider_for"]


class PluginError(ValueError):
    """The plug-in named by a source cannot be loaded; the message says why."""


def spider_for(source: SourceSettings) -> type[SourceSpider]:
    """The spider class of ``source``; raises ``PluginError`` naming the source and the key."""
    if source.type != "plugin":
        spider = SPIDERS.get(source.type)
        if spider is None:
            raise PluginError(f"no crawler for {source.type} sources")
        return spider
    target = source.plugin or ""
    module_name, _, class_name = target.partition(":")
    if not module_name or not class_name:
        raise PluginError(
            f"source {source.name}: 'plugin' must be 'package.module:Class', got {target!r}"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise PluginError(f"source {source.name}: plugin module {module_name!r}: {exc}") from exc
    spider = getattr(module, class_name, None)
    if not (isinstance(spider, type) and issubclass(spider, SourceSpider)):
        raise PluginError(
            f"source {source.name}: plugin {target!r} is not a SourceSpider subclass "
            "(crawlers.spiders.base)"
        )
    return spider
