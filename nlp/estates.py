"""Residential estates a text names, with or without 小区 (翠湖苑, 锦绣家园), however jieba cut
them: a place the first posts of an accident in a compound name (``nlp.event_links.place_names``
keys them for clustering). Issue 16, scenarios/cuihu_ebike.jsonl's miss 5 (``docs/scenarios.md``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Words before an estate word that point or count rather than name one (我们家园 is none).
POINTERS = frozenset({"这个", "那个", "一个", "整个", "附近", "周边", "我们", "这家", "那家"})

# Estates named without 小区 (翠湖苑, 锦绣家园): residents, witnesses and hashtags drop the
# 小区 the reports write (翠湖苑7栋, #白沙翠湖苑火灾#), and jieba cuts such names anywhere
# (翠 / 湖苑, 白沙 / 区翠 / 湖苑, 锦绣 / 家园). The key is the estate word with the two
# characters before it, whatever the cut, so reports and posts key one estate alike and a
# text is searched for it by substring (``nlp.event_links.NameIndex``). Not 园 alone (幼儿园,
# 公园, 工业园) nor 公寓 (人才公寓, 学生公寓: kinds of housing); 家园 after these words is a
# figure of speech, not an estate (建设美好家园).
ESTATE_ENDS = ("苑", "家园", "华庭")
ESTATE_NAME_CHARS = 2
_NOT_ESTATE_NAMES = frozenset(
    {"美好", "精神", "绿色", "重建", "建设", "共同", "共有", "温馨", "地球", "心灵", "守护", "生态"}
)
# Characters that do not begin or end an estate's name: particles, pronouns, verbs of going
# (路过的翠湖苑 is 翠湖苑, not 的翠湖苑; 去学苑 is no estate).
_NOT_NAME_CHARS = frozenset(
    "的了在是和与或及也都就把被从到向给让对为这那个些有我你他她它们说去来住回进出"
)
_HAN_ONLY = re.compile(r"^[\u4e00-\u9fff]+$")


def estate_name(words: Sequence[str], i: int) -> str:
    """The estate word ``words[i]`` ends (翠湖苑 for 湖苑 after 翠), keyed as its two name
    characters and the estate word; "" when the word ends in none or no name precedes it."""
    word = words[i]
    end = next((e for e in ESTATE_ENDS if word.endswith(e)), "")
    if not end:
        return ""
    run, j = word[: -len(end)], i - 1
    while len(run) < ESTATE_NAME_CHARS and j >= 0 and _HAN_ONLY.match(words[j]):
        if words[j] in POINTERS:
            break
        run, j = words[j] + run, j - 1
    name = run[-ESTATE_NAME_CHARS:]
    if len(name) < ESTATE_NAME_CHARS or name in _NOT_ESTATE_NAMES:
        return ""
    if not _HAN_ONLY.match(name) or set(name) & _NOT_NAME_CHARS:
        return ""
    return name + end
