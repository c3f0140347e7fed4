"""The briefing's charts as PNG images (matplotlib, Agg), drawn from the pack's figures.

Chinese labels need a CJK font: fonts-noto-cjk, installed by scripts/system-deps.sh, is
found through fontconfig's files; without it the charts are still drawn (labels as boxes)
and a warning names the missing package.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.ticker import MaxNLocator

from core.clock import local

log = logging.getLogger(__name__)

CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
)
DPI = 150
SIZE = (6.4, 3.0)  # inches: the text width of an A4 page with official margins


@cache
def cjk_font() -> str | None:
    """Register the first CJK font found and return its family name."""
    for path in CJK_FONTS:
        if path.exists():
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
    log.warning("no CJK font found (%s): install fonts-noto-cjk", CJK_FONTS[0])
    return None


def _png(fig: Any) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return out.getvalue()


def _style() -> Any:  # matplotlib types rc keys as literals
    family = cjk_font()
    return {"font.family": [family] if family else ["sans-serif"], "axes.unicode_minus": False}


def trend_chart(pack: dict[str, Any]) -> bytes:
    """声量走势: counts per hour (日报) or per day (周报)."""
    fig_data = pack["figures"]["trend"]
    rows = fig_data["rows"]
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=SIZE)
        fmt = "%H时" if fig_data["interval"] == "hour" else "%m-%d"
        labels = [f"{local(datetime.fromisoformat(r['start'])):{fmt}}" for r in rows]
        ax.bar(range(len(rows)), [r["count"] for r in rows], color="#c0392b")
        step = max(1, len(rows) // 12)
        ax.set_xticks(range(0, len(rows), step), labels[::step], fontsize=8)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("信息量（条）")
        ax.set_title("声量走势")
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def breakdown_chart(pack: dict[str, Any], fid: str, title: str) -> bytes:
    """A horizontal bar per value of a breakdown (平台 / 话题 / 情感倾向)."""
    rows = pack["figures"][fid]["rows"][:8][::-1]
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(SIZE[0], 0.45 * max(len(rows), 2) + 0.8))
        ax.barh([r["label"] for r in rows], [r["count"] for r in rows], color="#2c6fbb")
        for i, r in enumerate(rows):
            ax.text(r["count"], i, f" {r['count']}（{r['share']}%）", va="center", fontsize=8)
        ax.set_title(title)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("信息量（条）")
        ax.spines[["top", "right"]].set_visible(False)
        return _png(fig)


def charts(pack: dict[str, Any]) -> list[tuple[str, bytes]]:
    """(caption, PNG) of each chart the pack has data for."""
    drawn = []
    if any(r["count"] for r in pack["figures"]["trend"]["rows"]):
        drawn.append(("声量走势", trend_chart(pack)))
    for fid, title in (("by_platform", "各平台信息量"), ("by_sentiment", "情感倾向分布")):
        if pack["figures"][fid]["rows"]:
            drawn.append((title, breakdown_chart(pack, fid, title)))
    # Numbered as drawn: a period without a trend starts at 图1, not 图2.
    return [(f"图{n} {title}", png) for n, (title, png) in enumerate(drawn, start=1)]
