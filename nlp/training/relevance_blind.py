"""A blind held-out sample of Weibo posts for relevance (issue 22, second pass).

Pointers only (CED line numbers, Weibo21 ids), never text: the text is read from
``../shared/datasets`` at run time. Made on 2026-12-07 by a helper agent of the project, by
reading each post and deciding whether it is about the agency's field (food safety, product
quality and safety, special equipment, recalls, counterfeits and adulteration, certification,
standards, metrology, pricing and consumer fraud under market regulation, drug retail and
vaccine quality), **before** any scorer was run on one of them:

* candidates: the CED lines after ``relevance_labels.READ_UP_TO`` and the Weibo21 posts of the
  domains 社会生活, 医药健康 and 财经商业 (where the field's posts are; chosen by domain, not
  by any scorer), minus every post that is a near-copy (``rumor_train.near_duplicate_groups``
  over CED, Weibo21 and mm17 together) of a CED post read for training or of the older
  samples (``evaluation.CED_LINES``, ``HOLDOUT_LINES``);
* drawn with ``random.Random(20261207)``: 60 CED lines, then 150 社会生活, 80 医药健康 and 40
  财经商业 Weibo21 posts, one per near-copy group; as 医药健康 gave most relevant posts, 130
  more 医药健康 posts were drawn with ``random.Random(202612072)`` to reach ~50 relevant ones;
* 460 posts, 53 relevant: fuel-dispenser cheating, train-meal prices, 蒙牛 dates, fake
  cabbage and eggs, glue-injected shrimp, raw-fish parasites, anthrax beef, counterfeit
  condoms and Budweiser, dog meat without quarantine (12331), expired popcorn (consumer
  association), toothpaste colour marks, exploding phones, a burning Tesla, GM salmon on the
  table, food-hazard lists (carcinogens in food), substandard vaccines, drug-shop inspections;
* ``*_AMBIGUOUS``: read, but neither label fits well (a post on a hospital's poison test in a
  kindergarten food case, vaccine adverse reactions, reporting dog-meat shops with no reason
  given, a toxic invasive fish); left out of the figures and of training;
* not relevant though near the field: epidemics (Ebola, cholera), medical advice and
  nutrition tips, hospital billing, traffic, city management (城管), air fares.

Training never sees a post of this sample or a near-copy of one (``relevance_train`` drops
them; ``tests/test_relevance_labels.py`` checks it).
"""

from __future__ import annotations

from pathlib import Path

from nlp.training.evaluation import CED, Example, dataset_path, read_lines
from nlp.training.rumor_more import WEIBO21

CED_LINES = (
        1659, 1668, 1686, 1704, 1705, 1715, 1720, 1736, 1738, 1747, 1748, 1750, 1754, 1786,
        1788, 1793, 1803, 1810, 1817, 1825, 1833, 1840, 1846, 1854, 1858, 1864, 1894, 1911,
        1914, 1936, 1961, 1968, 2008, 2048, 2049, 2055, 2062, 2069, 2070, 2079, 2080, 2081,
        2083, 2085, 2086, 2087, 2090, 2091, 2097, 2120, 2141, 2205, 2210, 2212, 2215, 2222,
        2231, 2241, 2268, 2278,
)  # fmt: skip
CED_RELEVANT = frozenset({2048, 2205, 2278})
CED_AMBIGUOUS: frozenset[int] = frozenset()
WEIBO21_IDS = (
        "weibo21-test-0544", "weibo21-test-0547", "weibo21-test-0550", "weibo21-test-0552",
        "weibo21-test-0558", "weibo21-test-0559", "weibo21-test-0560", "weibo21-test-0569",
        "weibo21-test-0572", "weibo21-test-0575", "weibo21-test-0578", "weibo21-test-0580",
        "weibo21-test-0585", "weibo21-test-0589", "weibo21-test-0590", "weibo21-test-0596",
        "weibo21-test-0605", "weibo21-test-0606", "weibo21-test-0609", "weibo21-test-0612",
        "weibo21-test-0639", "weibo21-test-0642", "weibo21-test-0644", "weibo21-test-0660",
        "weibo21-test-0665", "weibo21-test-0674", "weibo21-test-0676", "weibo21-test-0681",
        "weibo21-test-0694", "weibo21-test-0698", "weibo21-test-0709", "weibo21-test-0717",
        "weibo21-test-0729", "weibo21-test-0741", "weibo21-test-0756", "weibo21-test-0793",
        "weibo21-test-0826", "weibo21-test-0834", "weibo21-test-0884", "weibo21-test-0927",
        "weibo21-test-0989", "weibo21-test-0992", "weibo21-test-1296", "weibo21-test-1324",
        "weibo21-test-1335", "weibo21-test-1341", "weibo21-test-1344", "weibo21-test-1350",
        "weibo21-test-1353", "weibo21-test-1368", "weibo21-test-1370", "weibo21-test-1425",
        "weibo21-test-1441", "weibo21-test-1471", "weibo21-test-1495", "weibo21-test-1501",
        "weibo21-test-1508", "weibo21-test-1533", "weibo21-test-1539", "weibo21-test-1588",
        "weibo21-test-1596", "weibo21-test-1609", "weibo21-test-1638", "weibo21-test-1639",
        "weibo21-test-1640", "weibo21-test-1684", "weibo21-test-1692", "weibo21-test-1718",
        "weibo21-test-1724", "weibo21-test-1732", "weibo21-test-1739", "weibo21-test-1745",
        "weibo21-test-1752", "weibo21-train-1620", "weibo21-train-1622", "weibo21-train-1626",
        "weibo21-train-1632", "weibo21-train-1639", "weibo21-train-1641", "weibo21-train-1643",
        "weibo21-train-1646", "weibo21-train-1647", "weibo21-train-1652", "weibo21-train-1687",
        "weibo21-train-1688", "weibo21-train-1689", "weibo21-train-1692", "weibo21-train-1698",
        "weibo21-train-1701", "weibo21-train-1705", "weibo21-train-1709", "weibo21-train-1710",
        "weibo21-train-1711", "weibo21-train-1716", "weibo21-train-1717", "weibo21-train-1718",
        "weibo21-train-1732", "weibo21-train-1735", "weibo21-train-1740", "weibo21-train-1745",
        "weibo21-train-1747", "weibo21-train-1748", "weibo21-train-1752", "weibo21-train-1753",
        "weibo21-train-1755", "weibo21-train-1760", "weibo21-train-1763", "weibo21-train-1764",
        "weibo21-train-1767", "weibo21-train-1769", "weibo21-train-1781", "weibo21-train-1783",
        "weibo21-train-1784", "weibo21-train-1791", "weibo21-train-1793", "weibo21-train-1797",
        "weibo21-train-1810", "weibo21-train-1811", "weibo21-train-1814", "weibo21-train-1820",
        "weibo21-train-1825", "weibo21-train-1828", "weibo21-train-1831", "weibo21-train-1832",
        "weibo21-train-1840", "weibo21-train-1842", "weibo21-train-1845", "weibo21-train-1846",
        "weibo21-train-1849", "weibo21-train-1856", "weibo21-train-1859", "weibo21-train-1863",
        "weibo21-train-1881", "weibo21-train-1882", "weibo21-train-1885", "weibo21-train-1887",
        "weibo21-train-1891", "weibo21-train-1892", "weibo21-train-1897", "weibo21-train-1900",
        "weibo21-train-1910", "weibo21-train-1911", "weibo21-train-1912", "weibo21-train-1917",
        "weibo21-train-1921", "weibo21-train-1926", "weibo21-train-1927", "weibo21-train-1934",
        "weibo21-train-1955", "weibo21-train-1957", "weibo21-train-1961", "weibo21-train-1963",
        "weibo21-train-1964", "weibo21-train-1977", "weibo21-train-1980", "weibo21-train-1983",
        "weibo21-train-1984", "weibo21-train-1997", "weibo21-train-2000", "weibo21-train-2003",
        "weibo21-train-2005", "weibo21-train-2007", "weibo21-train-2008", "weibo21-train-2014",
        "weibo21-train-2016", "weibo21-train-2017", "weibo21-train-2019", "weibo21-train-2021",
        "weibo21-train-2025", "weibo21-train-2033", "weibo21-train-2044", "weibo21-train-2046",
        "weibo21-train-2050", "weibo21-train-2057", "weibo21-train-2059", "weibo21-train-2068",
        "weibo21-train-2073", "weibo21-train-2079", "weibo21-train-2082", "weibo21-train-2087",
        "weibo21-train-2088", "weibo21-train-2091", "weibo21-train-2095", "weibo21-train-2097",
        "weibo21-train-2098", "weibo21-train-2100", "weibo21-train-2106", "weibo21-train-2108",
        "weibo21-train-2109", "weibo21-train-2118", "weibo21-train-2120", "weibo21-train-2121",
        "weibo21-train-2131", "weibo21-train-2137", "weibo21-train-2138", "weibo21-train-2141",
        "weibo21-train-2143", "weibo21-train-2150", "weibo21-train-2155", "weibo21-train-2160",
        "weibo21-train-2168", "weibo21-train-2169", "weibo21-train-2173", "weibo21-train-2174",
        "weibo21-train-2184", "weibo21-train-2188", "weibo21-train-2189", "weibo21-train-2196",
        "weibo21-train-2199", "weibo21-train-2206", "weibo21-train-2207", "weibo21-train-2208",
        "weibo21-train-2210", "weibo21-train-2214", "weibo21-train-2230", "weibo21-train-2246",
        "weibo21-train-2270", "weibo21-train-2273", "weibo21-train-2319", "weibo21-train-2387",
        "weibo21-train-2497", "weibo21-train-2513", "weibo21-train-2523", "weibo21-train-2548",
        "weibo21-train-2559", "weibo21-train-2566", "weibo21-train-2571", "weibo21-train-2591",
        "weibo21-train-2659", "weibo21-train-2667", "weibo21-train-2719", "weibo21-train-2807",
        "weibo21-train-2809", "weibo21-train-2841", "weibo21-train-2847", "weibo21-train-2848",
        "weibo21-train-2934", "weibo21-train-2947", "weibo21-train-2959", "weibo21-train-2961",
        "weibo21-train-2966", "weibo21-train-3879", "weibo21-train-3905", "weibo21-train-3953",
        "weibo21-train-3958", "weibo21-train-3974", "weibo21-train-3985", "weibo21-train-3987",
        "weibo21-train-4005", "weibo21-train-4035", "weibo21-train-4046", "weibo21-train-4048",
        "weibo21-train-4065", "weibo21-train-4102", "weibo21-train-4120", "weibo21-train-4121",
        "weibo21-train-4139", "weibo21-train-4178", "weibo21-train-4196", "weibo21-train-4225",
        "weibo21-train-4233", "weibo21-train-4234", "weibo21-train-4247", "weibo21-train-4249",
        "weibo21-train-4255", "weibo21-train-4307", "weibo21-train-4309", "weibo21-train-4312",
        "weibo21-train-4317", "weibo21-train-4325", "weibo21-train-4335", "weibo21-train-4341",
        "weibo21-train-4360", "weibo21-train-4364", "weibo21-train-4372", "weibo21-train-4373",
        "weibo21-train-4384", "weibo21-train-4389", "weibo21-train-4489", "weibo21-train-4509",
        "weibo21-train-4575", "weibo21-train-4590", "weibo21-train-4620", "weibo21-train-4625",
        "weibo21-train-4694", "weibo21-train-4695", "weibo21-train-4707", "weibo21-train-4722",
        "weibo21-train-4778", "weibo21-train-4805", "weibo21-train-4811", "weibo21-train-4819",
        "weibo21-train-4829", "weibo21-train-4830", "weibo21-train-4841", "weibo21-train-4897",
        "weibo21-train-4923", "weibo21-train-4955", "weibo21-train-4977", "weibo21-train-4978",
        "weibo21-train-4987", "weibo21-train-5002", "weibo21-train-5022", "weibo21-train-5030",
        "weibo21-train-5041", "weibo21-train-5048", "weibo21-train-5050", "weibo21-train-5110",
        "weibo21-train-5194", "weibo21-train-5245", "weibo21-train-5258", "weibo21-train-5288",
        "weibo21-train-5317", "weibo21-train-5329", "weibo21-train-5336", "weibo21-train-5375",
        "weibo21-train-5383", "weibo21-train-5393", "weibo21-train-5407", "weibo21-train-5441",
        "weibo21-train-5465", "weibo21-val-0544", "weibo21-val-0557", "weibo21-val-0566",
        "weibo21-val-0569", "weibo21-val-0574", "weibo21-val-0578", "weibo21-val-0580",
        "weibo21-val-0581", "weibo21-val-0584", "weibo21-val-0587", "weibo21-val-0590",
        "weibo21-val-0593", "weibo21-val-0599", "weibo21-val-0607", "weibo21-val-0610",
        "weibo21-val-0615", "weibo21-val-0618", "weibo21-val-0629", "weibo21-val-0639",
        "weibo21-val-0642", "weibo21-val-0647", "weibo21-val-0664", "weibo21-val-0670",
        "weibo21-val-0672", "weibo21-val-0673", "weibo21-val-0680", "weibo21-val-0683",
        "weibo21-val-0687", "weibo21-val-0688", "weibo21-val-0694", "weibo21-val-0699",
        "weibo21-val-0703", "weibo21-val-0708", "weibo21-val-0727", "weibo21-val-0736",
        "weibo21-val-0768", "weibo21-val-0839", "weibo21-val-0900", "weibo21-val-0906",
        "weibo21-val-0991", "weibo21-val-1312", "weibo21-val-1313", "weibo21-val-1319",
        "weibo21-val-1329", "weibo21-val-1341", "weibo21-val-1353", "weibo21-val-1372",
        "weibo21-val-1391", "weibo21-val-1403", "weibo21-val-1423", "weibo21-val-1433",
        "weibo21-val-1485", "weibo21-val-1503", "weibo21-val-1526", "weibo21-val-1533",
        "weibo21-val-1545", "weibo21-val-1548", "weibo21-val-1572", "weibo21-val-1583",
        "weibo21-val-1603", "weibo21-val-1605", "weibo21-val-1609", "weibo21-val-1623",
        "weibo21-val-1636", "weibo21-val-1654", "weibo21-val-1659", "weibo21-val-1660",
        "weibo21-val-1668", "weibo21-val-1680", "weibo21-val-1688", "weibo21-val-1731",
        "weibo21-val-1738", "weibo21-val-1768", "weibo21-val-1774", "weibo21-val-1777",
        "weibo21-val-1781", "weibo21-val-1782", "weibo21-val-1793", "weibo21-val-1816",
)  # fmt: skip
WEIBO21_RELEVANT = frozenset(
    {
        "weibo21-test-0560", "weibo21-test-0590", "weibo21-test-0642", "weibo21-test-0681",
        "weibo21-test-0698", "weibo21-test-0826", "weibo21-train-1687", "weibo21-train-1701",
        "weibo21-train-1705", "weibo21-train-1710", "weibo21-train-1711", "weibo21-train-1716",
        "weibo21-train-1717", "weibo21-train-1718", "weibo21-train-1745", "weibo21-train-1748",
        "weibo21-train-1784", "weibo21-train-1797", "weibo21-train-1828", "weibo21-train-1840",
        "weibo21-train-1849", "weibo21-train-1927", "weibo21-train-1964", "weibo21-train-1984",
        "weibo21-train-1997", "weibo21-train-2008", "weibo21-train-2021", "weibo21-train-2057",
        "weibo21-train-2087", "weibo21-train-2088", "weibo21-train-2106", "weibo21-train-2121",
        "weibo21-train-2174", "weibo21-train-2207", "weibo21-train-2566", "weibo21-train-4317",
        "weibo21-train-4509", "weibo21-train-5194", "weibo21-val-0557", "weibo21-val-0584",
        "weibo21-val-0587", "weibo21-val-0610", "weibo21-val-0664", "weibo21-val-0670",
        "weibo21-val-0688", "weibo21-val-0694", "weibo21-val-0699", "weibo21-val-0727",
        "weibo21-val-1403", "weibo21-val-1731",
    }
)  # fmt: skip
WEIBO21_AMBIGUOUS = frozenset(
    {
        "weibo21-test-0547", "weibo21-test-0569", "weibo21-test-0884", "weibo21-test-1471",
        "weibo21-train-1688", "weibo21-train-1845", "weibo21-train-1887", "weibo21-train-2019",
        "weibo21-train-2068", "weibo21-train-2097", "weibo21-train-2807", "weibo21-train-4325",
        "weibo21-val-0607", "weibo21-val-1485", "weibo21-val-1548",
    }
)  # fmt: skip


def blind_sample(root: Path | None = None) -> list[Example]:
    """The sample's posts with their labels (ambiguous ones left out), source ``weibo_blind``."""
    examples: list[Example] = []
    lines = set(CED_LINES) - CED_AMBIGUOUS
    for number, record in read_lines(dataset_path(CED, root)):
        if number in lines:
            text = str(record["text"])
            examples.append(Example("weibo_blind", f"ced:{number}", text, number in CED_RELEVANT))
    ids = set(WEIBO21_IDS) - WEIBO21_AMBIGUOUS
    for _, record in read_lines(dataset_path(WEIBO21, root)):
        key = str(record["id"])
        if key in ids:
            text = str(record.get("text") or "")
            examples.append(Example("weibo_blind", key, text, key in WEIBO21_RELEVANT))
    return examples
