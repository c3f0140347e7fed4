"""Where the talk is: a tile-grid map of China's provinces, shaded by mentions.

One square per provincial-level division, placed roughly where it lies (a cartogram, as data
journalism draws them), shaded by the mentions the events' stored region entities count there
(GB/T 2260 codes, the first two digits naming the province). A tile grid draws no boundaries,
so it needs no approved base map (审图号) and no geometry files: Altair draws it offline.
"""

from __future__ import annotations

from collections.abc import Iterable

import altair as alt
import pandas as pd

from archive.models import EntityCount

# Province code (the first two digits of GB/T 2260) -> (short name, row, column).
PROVINCE_TILES: dict[str, tuple[str, int, int]] = {
    "23": ("黑龙江", 0, 8),
    "15": ("内蒙古", 1, 6),
    "22": ("吉林", 1, 8),
    "65": ("新疆", 2, 1),
    "11": ("北京", 2, 6),
    "21": ("辽宁", 2, 8),
    "62": ("甘肃", 3, 3),
    "64": ("宁夏", 3, 4),
    "14": ("山西", 3, 5),
    "13": ("河北", 3, 6),
    "12": ("天津", 3, 7),
    "63": ("青海", 4, 2),
    "61": ("陕西", 4, 4),
    "41": ("河南", 4, 5),
    "37": ("山东", 4, 6),
    "54": ("西藏", 5, 1),
    "51": ("四川", 5, 3),
    "50": ("重庆", 5, 4),
    "42": ("湖北", 5, 5),
    "34": ("安徽", 5, 6),
    "32": ("江苏", 5, 7),
    "53": ("云南", 6, 3),
    "52": ("贵州", 6, 4),
    "43": ("湖南", 6, 5),
    "36": ("江西", 6, 6),
    "33": ("浙江", 6, 7),
    "31": ("上海", 6, 8),
    "45": ("广西", 7, 4),
    "44": ("广东", 7, 5),
    "35": ("福建", 7, 6),
    "71": ("台湾", 7, 7),
    "46": ("海南", 8, 4),
    "81": ("香港", 8, 5),
    "82": ("澳门", 8, 6),
}


def province_counts(regions: Iterable[EntityCount]) -> dict[str, int]:
    """Mentions per province code from region entities with a GB/T 2260 code (others —
    places the gazetteer does not know — cannot be placed and are left out)."""
    counts: dict[str, int] = {}
    for region in regions:
        code = region.code[:2]
        if region.kind == "region" and code in PROVINCE_TILES:
            counts[code] = counts.get(code, 0) + region.count
    return counts


def tile_map_chart(counts: dict[str, int]) -> alt.LayerChart:
    """The tile grid, each province shaded by its count (grey where none), named on its tile."""
    frame = pd.DataFrame(
        [
            {"省份": name, "行": row, "列": col, "提及数": counts.get(code, 0)}
            for code, (name, row, col) in PROVINCE_TILES.items()
        ]
    )
    top = max(counts.values(), default=0)
    shade = alt.Color(
        "提及数:Q",
        title="提及数",
        scale=alt.Scale(domain=[0, max(top, 1)], range=["#f2f2f2", "#b2182b"]),
    )
    base = alt.Chart(frame).encode(
        x=alt.X("列:O", axis=None), y=alt.Y("行:O", axis=None, sort="ascending")
    )
    tiles = base.mark_rect(cornerRadius=3, stroke="white", strokeWidth=2).encode(
        color=shade, tooltip=[alt.Tooltip("省份:N"), alt.Tooltip("提及数:Q")]
    )
    names = base.mark_text(fontSize=11).encode(
        text="省份:N",
        color=alt.condition(
            f"datum['提及数'] > {top / 2:.1f}", alt.value("white"), alt.value("#333")
        ),
    )
    chart = alt.LayerChart(layer=[tiles, names], width=420, height=380)
    return chart.configure_view(stroke=None)
