"""What Chinese news pages put around the article that extractors keep: bylines, breadcrumbs,
"related news" lists, share buttons, disclaimers.

Trimmed only at the edges of the extracted text, never in the middle, and only lines that are
short or carry one of the fixed phrases CMSs print there: a sentence of the article that
happens to mention 声明 or a date is long and sits between other sentences, so it stays.
Patterns were collected by reading the 62 pages of ``../shared/datasets/news_pages`` (see
``benchmarks/extract_bench.py`` for what each change did to the figures).
"""

from __future__ import annotations

import re

__all__ = ["trim_edges"]

# A byline: a date with a time of day, or a date with 来源, on a short line.
_BYLINE = re.compile(
    r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*\d{1,2}[:：]\d{2}"
    r"|来源\s*[:：]"
)
_BYLINE_MAX = 60
# How far into the text a byline may sit: past it, a date line is part of the article.
_BYLINE_WINDOW = 8
_ABOVE_BYLINE_MAX = 80
_LEADING = re.compile(
    r"^(?:您所在的位置|当前位置|您现在的位置)|^首页\s*>|^[^\s，。]{1,8}\s*>$|^(?:昨天|今天|前天)$"
    r"|>>$|^(?:相关新闻|相关阅读|相关链接)[:：]?$"
)
_TRAILING = re.compile(
    r"^-\s*\S{1,8}$|^(?:态度原创|举报|分享到|分享|收藏|微信公众号|点击刷新|热点新闻|热门推荐)$"
    r"|APP$|^为您推荐|刚刚看到这里|网友评论仅供其表达个人看法|^【?免责声明】?|^声明[:：]"
    r"|^责任编辑\s*[:：]?\s*$|^(?:19|20)\d{2}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})? 举报$"
    r"|^相关资讯请关注|^\d+、回复【|^扫描下方二维码|^点击菜单栏|^看都看完了"
    r"|^(?:编辑|责编|校对)\s*[|｜:：]"
)
_TRAILING_SUFFIX = re.compile(r"(?:返回\S{1,8}首页\s*>>|返回\S{1,8}[，,]\s*查看更多)\s*$")


def trim_edges(text: str) -> str:
    """``text`` without the byline and navigation before it and the page furniture after it."""
    lines = [line for line in text.split("\n") if line.strip()]
    lines = _after_byline(lines)
    while lines and len(lines[0]) <= _BYLINE_MAX and _LEADING.search(lines[0].strip()):
        lines.pop(0)
    while lines and _is_trailing(lines[-1]):
        lines.pop()
    if lines:
        lines[-1] = _TRAILING_SUFFIX.sub("", lines[-1]).rstrip()
        if not lines[-1]:
            lines.pop()
    return "\n".join(lines)


def _after_byline(lines: list[str]) -> list[str]:
    """Drop a byline near the top and everything above it (author, outlet, breadcrumbs)."""
    above = 0
    for index, line in enumerate(lines[:_BYLINE_WINDOW]):
        if len(line) <= _BYLINE_MAX and _BYLINE.search(line):
            rest = lines[index + 1 :]
            return rest if rest else lines
        above += len(line)
        # Only short lines stand above a byline; a long one means the article has begun.
        if above > _ABOVE_BYLINE_MAX:
            break
    return lines


def _is_trailing(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) <= 120 and bool(_TRAILING.search(stripped))
