"""The labelled relevance sample and the figures computed on it.

The sample refers to the shared data sets (``../shared/datasets``, see its README) by line
number and id only: their text is read at run time and never copied into this repository.

How it was built (2026-11, by the NLP engineer, labels by reading each text):

* **food_safety_news** — lines 0, 26, 52, … 2574 (every 26th line: 100 reports spread over
  the file's four labels). All are food-safety news: relevant by construction.
* **ced_dev** — 300 posts drawn uniformly with ``random.Random(20261116).sample(range(2295),
  300)`` (the line numbers are listed below so the draw does not depend on Python's RNG).
  Each was read and labelled relevant when it is about the agency's field: food safety,
  product quality and safety, special equipment, recalls, counterfeits and adulteration,
  certification, standards, metrology, inspection and quarantine, or the conduct of market
  regulators. 19 of 300 are (6.3 %, in line with the data set README's "roughly 7 %"):
  food-safety rumours and reports (樱桃 maggots, 大闸蟹 antibiotics, 地沟油, 塑化剂, 蒙牛
  dates, 3·15 exposés, imported food blacklist), adulterated gold bars (掺假), toothpaste
  colour-mark and 花露水 flammability product rumours. Judgement calls, labelled *not*
  relevant: city-management (城管) violence, traffic rules and accidents, epidemics and
  hospital infections (H7N9, 丙肝), counterfeit banknotes (police, not market regulation),
  a dating site's fraud.
* **ced_holdout** — after the lexicon was revised once from the errors on the two sets above
  (general domain vocabulary only: hazards such as 氯霉素 and 寄生虫, price supervision, 工商,
  生产日期; no word taken from a missed post), 200 further CED posts were drawn with
  ``random.Random(11302026)`` from the lines not in ``CED_LINES`` and labelled the same way
  *before* being scored. 12 of 200 are relevant (炭疽 meat scare, 果粒橙 pesticide, 地沟油
  tests, fish drugged to look lively, 一次性筷子 bamboo shoots, phone battery explosion,
  板蓝根 adulteration, the foam food-box ban). Its figures are the honest estimate for Weibo
  posts; the first two sets have been looked at while tuning.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets"
FOOD_SAFETY = "food_safety/food_safety_news.jsonl.gz"
CED = "ced/ced_dev.jsonl.gz"

FOOD_SAFETY_LINES = tuple(range(0, 2600, 26))
CED_LINES = (
    10, 11, 13, 23, 24, 26, 27, 29, 30, 37, 46, 47, 53, 76, 79, 99, 103, 111, 112, 113, 122,
    123, 126, 143, 147, 149, 161, 173, 183, 187, 190, 192, 208, 209, 223, 228, 229, 230, 235,
    236, 239, 240, 245, 252, 255, 262, 264, 266, 283, 285, 286, 293, 299, 324, 326, 332, 350,
    380, 382, 401, 402, 423, 429, 432, 439, 452, 458, 463, 468, 471, 490, 496, 502, 509, 530,
    548, 566, 569, 574, 590, 595, 609, 615, 620, 629, 641, 646, 649, 662, 677, 679, 689, 693,
    709, 730, 753, 761, 766, 767, 769, 771, 773, 778, 788, 800, 823, 828, 833, 835, 839, 840,
    855, 857, 858, 861, 872, 876, 891, 909, 911, 918, 920, 921, 926, 927, 933, 944, 947, 956,
    968, 972, 987, 994, 995, 999, 1003, 1021, 1025, 1037, 1051, 1053, 1069, 1073, 1081, 1091,
    1096, 1100, 1110, 1111, 1118, 1129, 1135, 1163, 1171, 1189, 1190, 1192, 1202, 1212, 1214,
    1226, 1227, 1240, 1241, 1247, 1252, 1253, 1266, 1285, 1297, 1304, 1311, 1312, 1313, 1317,
    1340, 1354, 1365, 1367, 1381, 1404, 1411, 1419, 1425, 1427, 1442, 1448, 1449, 1457, 1461,
    1482, 1491, 1501, 1505, 1516, 1520, 1524, 1526, 1536, 1539, 1544, 1549, 1550, 1567, 1570,
    1578, 1592, 1593, 1594, 1597, 1603, 1608, 1616, 1620, 1624, 1627, 1634, 1642, 1643, 1651,
    1652, 1654, 1656, 1664, 1667, 1683, 1691, 1698, 1700, 1706, 1710, 1711, 1713, 1724, 1733,
    1735, 1737, 1756, 1767, 1780, 1790, 1811, 1823, 1841, 1844, 1853, 1873, 1900, 1901, 1909,
    1913, 1930, 1940, 1956, 1962, 1973, 1981, 1990, 1991, 1994, 2002, 2003, 2004, 2012, 2013,
    2020, 2021, 2035, 2056, 2057, 2058, 2060, 2065, 2072, 2096, 2100, 2111, 2123, 2134, 2135,
    2137,
    2142, 2145, 2151, 2154, 2165, 2177, 2185, 2186, 2189, 2190, 2199, 2203, 2242, 2244, 2261,
    2263, 2271, 2284, 2293,
)  # fmt: skip
HOLDOUT_LINES = (
    16, 33, 50, 56, 70, 86, 92, 96, 119, 125, 158, 195, 205, 214, 220, 231, 232, 237, 246, 253,
    269, 272, 273, 304, 313, 356, 359, 395, 406, 424, 428, 480, 487, 497, 504, 507, 508, 512,
    516, 536, 550, 554, 555, 558, 594, 596, 605, 606, 610, 614, 623, 626, 631, 644, 652, 661,
    672, 687, 697, 704, 705, 707, 711, 746, 782, 785, 792, 806, 807, 824, 831, 838, 841, 860,
    866, 867, 870, 873, 885, 892, 931, 938, 967, 969, 973, 984, 996, 1009, 1029, 1057, 1071,
    1083, 1122, 1147, 1151, 1165, 1201, 1210, 1248, 1257, 1284, 1287, 1289, 1303, 1305, 1326,
    1348, 1352, 1376, 1377, 1390, 1392, 1403, 1407, 1413, 1422, 1430, 1431, 1435, 1441, 1454,
    1455, 1485, 1507, 1509, 1525, 1530, 1535, 1543, 1568, 1575, 1585, 1595, 1613, 1623, 1625,
    1630, 1646, 1648, 1684, 1687, 1734, 1741, 1749, 1759, 1761, 1765, 1766, 1779, 1789, 1800,
    1805, 1839, 1848, 1861, 1881, 1887, 1893, 1905, 1922, 1926, 1933, 1934, 1938, 1939, 1960,
    1982, 1984, 1989, 1992, 2001, 2005, 2007, 2024, 2037, 2038, 2063, 2066, 2094, 2104, 2106,
    2112, 2129, 2143, 2146, 2156, 2162, 2163, 2166, 2168, 2220, 2227, 2229, 2237, 2251, 2266,
    2267, 2274, 2280, 2288,
)  # fmt: skip
HOLDOUT_RELEVANT = frozenset(
    {
        "1066_yBIwohplE_2137665200", "1232_A1w1HERek_2694574213", "1281_zwQ2RiLKb_2097112435",
        "1522_zcWPyxNju_1763305567", "1925_zwRqp80cs_1880644580", "1977_zcWfKy9CV_2116913627",
        "2091_z5bVBsVta_2646039643", "2145_zn3A0E8IZ_2092965600", "2316_z13QOmw7d_1798913834",
        "2620_zhPt4B8YZ_2163396973", "2758_hKCYHI_1638782947", "3876_zv3Cjr8BI_1700720163",
    }
)  # fmt: skip
CED_RELEVANT = frozenset(
    {
        "1186_yBgjisa4i_2165618650", "1431_yFkoT2LyF_2295877594", "1481_zczKidIEj_2937310905",
        "1482_A3mK1zI0s_2344056383", "1527_zx9u8AVLV_1733770795", "1674_zBbVGpbKa_1498764931",
        "1937_zn6qQCA3W_2649443551", "2021_zlHsKlZF6_2634090281", "2042_zATrrkhiJ_3167761582",
        "2251_zAriop1Qk_2496780021", "2421_z6uV4bCT2_2345130274", "2521_yfZQeboDE_2050856634",
        "4134_jpjjMS_1402828774", "4714_eXiQ8y_1582319552", "474_zqN5NBg6f_2820634412",
        "725_yxRnN3wE7_2130952741", "738_yFrLkhFEQ_1918497687", "877_zjpIj9Rni_2511602261",
        "916_zmQAja4t6_2701356122",
    }
)  # fmt: skip


class DatasetMissing(FileNotFoundError):
    pass


def dataset_path(relative: str, root: Path | None = None) -> Path:
    path = (root or Path(os.environ.get("YUQING_DATASETS", DATASETS))) / relative
    if not path.exists():
        raise DatasetMissing(f"data set {path} is missing (see ../shared/datasets/README.md)")
    return path


def read_lines(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            yield number, json.loads(line)


@dataclass(frozen=True)
class Example:
    source: str  # "food_safety", "ced" or "ced_holdout"
    key: str  # line number or CED id
    text: str
    relevant: bool


def relevance_sample(root: Path | None = None) -> list[Example]:
    examples: list[Example] = []
    wanted = set(FOOD_SAFETY_LINES)
    for number, record in read_lines(dataset_path(FOOD_SAFETY, root)):
        if number in wanted:
            examples.append(Example("food_safety", str(number), str(record["text"]), True))
    tuning, holdout = set(CED_LINES), set(HOLDOUT_LINES)
    for number, record in read_lines(dataset_path(CED, root)):
        key = str(record["id"])
        if number in tuning:
            examples.append(Example("ced", key, str(record["text"]), key in CED_RELEVANT))
        elif number in holdout:
            relevant = key in HOLDOUT_RELEVANT
            examples.append(Example("ced_holdout", key, str(record["text"]), relevant))
    missing = len(FOOD_SAFETY_LINES) + len(CED_LINES) + len(HOLDOUT_LINES) - len(examples)
    if missing:
        raise DatasetMissing(f"{missing} sample lines are beyond the end of the data sets")
    return examples


@dataclass(frozen=True)
class Scores:
    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(
    examples: list[Example], predict: Callable[[Example], bool]
) -> tuple[Scores, list[Example], list[Example]]:
    """Scores, and the false positives and false negatives for reading."""
    tp = fp = fn = tn = 0
    false_pos: list[Example] = []
    false_neg: list[Example] = []
    for example in examples:
        predicted = predict(example)
        if predicted and example.relevant:
            tp += 1
        elif predicted:
            fp += 1
            false_pos.append(example)
        elif example.relevant:
            fn += 1
            false_neg.append(example)
        else:
            tn += 1
    return Scores(tp, fp, fn, tn), false_pos, false_neg
