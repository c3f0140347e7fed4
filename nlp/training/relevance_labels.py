"""Hand labels for training the relevance model: CED and Weibo21 posts read one by one
(by the project's helper agents, AI, not people).

Like ``nlp.training.evaluation`` this holds line numbers (CED) and ids (Weibo21) only,
never text. How they were made (2026-12-07, issue 22, by reading each post before any model
was fitted on them, with the criteria of ``nlp.training.evaluation``'s docstring):

* the posts read are the lines ``0..READ_UP_TO`` of the file that are neither in the labelled
  evaluation sample (``CED_LINES``, ``HOLDOUT_LINES``) nor near-copies of one (the training
  code drops those: ``relevance_train.training_set``), except ``UNREAD``, whose text the
  reading tool cut off, and except the lines below ``SHOWN_ALL_FROM`` that the lexicon scores
  relevant (the first pass showed only the lexicon's misses; those keep the lexicon's label);
  of a group of near-copies one was read and its label holds for all;
* ``RELEVANT``: food-safety claims and reports (樱桃 maggots, 小龙虾, 拉面剂, 易拉罐, 牛蛙,
  速成鸡, 恒天然, 珍珠奶茶, a food-combination myth as the tuning sample counts one), product
  safety (toothpaste colour marks, microwaves, heaters and phones that burn or explode, 双酚A
  in toys, bottled water left in cars) and metrology (fuel dispensers, electricity meters);
* ``AMBIGUOUS``: read but left out of training, neither label fits well (a supplement
  founder's death, tap water, an import ban, baby-formula quotas);
* every other post read is a negative, whatever the lexicon says of it (a yogurt maker's
  advert, a roller coaster, traffic rules, counterfeit banknotes, epidemics).

Second pass (2026-12-07, issue 22, by a helper agent of the project, by reading each post
before any model was scored on it): ``WEIBO21_READ``, 460 Weibo21 posts drawn with
``random.Random(20261207)`` after the blind sample (``relevance_blind``) from the domains
社会生活 (250), 医药健康 (150) and 财经商业 (60), none a near-copy of a blind-sample post. Same
criteria as that sample's docstring: ``WEIBO21_RELEVANT`` (43: 旺仔 botulism recall rumours,
俏江南's kitchen, 辛拉面 plasticiser, fake cabbage, 注胶 shrimp, parasites in pork, anthrax
poultry, 315 food lists, dog meat without quarantine, a vaccine batch, heaters that catch
fire, 茅台 dealers' pledge against price gouging and fakes, counterfeit figurines, a hotel
booking fraud 工商 took up), ``WEIBO21_AMBIGUOUS`` (14, left out of training), and every other
post read is a negative (crime, traffic, epidemics, medical advice, stock news).

Posts after ``READ_UP_TO`` (the non-rumour half of the file is mostly everyday chatter) keep
the lexicon's weak labels (``relevance_train``'s docstring), except the drawn ones below.

Fourth pass (2026-12-07, issue 22, the relevance helper agent): ``relevance_drawn_labels.json``,
1,445 posts drawn by ``relevance_draw`` (CED after ``READ_UP_TO``, Weibo21 医药健康 / 社会生活 /
财经商业 / 灾难事故, mm17; by data set and domain only, away from every sample's near-copies and
from the posts read before) and read in full before any model scored them: 56 relevant, 20
ambiguous. The file's "about" has the rule and the calls made; ``drawn_labels`` reads it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

READ_UP_TO = 1649
SHOWN_ALL_FROM = 609
UNREAD = frozenset(range(904, 942))
RELEVANT = frozenset(
    {
        40, 68, 101, 133, 151, 176, 185, 213, 257, 268, 372, 374, 385, 387, 446, 448, 464, 522,
        539, 603, 648, 681, 690, 694, 695, 708, 723, 731, 849, 890, 1030, 1067, 1213, 1466,
        1545, 278, 1102,
    }
)  # fmt: skip
AMBIGUOUS = frozenset({43, 154, 311, 420, 714, 1298, 1540})
WEIBO21_READ = frozenset(
    {
        "weibo21-test-0545", "weibo21-test-0553", "weibo21-test-0557", "weibo21-test-0563",
        "weibo21-test-0568", "weibo21-test-0583", "weibo21-test-0584", "weibo21-test-0592",
        "weibo21-test-0599", "weibo21-test-0602", "weibo21-test-0611", "weibo21-test-0613",
        "weibo21-test-0616", "weibo21-test-0626", "weibo21-test-0628", "weibo21-test-0629",
        "weibo21-test-0650", "weibo21-test-0671", "weibo21-test-0677", "weibo21-test-0678",
        "weibo21-test-0679", "weibo21-test-0682", "weibo21-test-0685", "weibo21-test-0686",
        "weibo21-test-0710", "weibo21-test-0711", "weibo21-test-0712", "weibo21-test-0714",
        "weibo21-test-0716", "weibo21-test-0718", "weibo21-test-0721", "weibo21-test-0722",
        "weibo21-test-0730", "weibo21-test-0733", "weibo21-test-0735", "weibo21-test-0736",
        "weibo21-test-0818", "weibo21-test-0824", "weibo21-test-0856", "weibo21-test-0881",
        "weibo21-test-0934", "weibo21-test-1301", "weibo21-test-1345", "weibo21-test-1352",
        "weibo21-test-1367", "weibo21-test-1373", "weibo21-test-1376", "weibo21-test-1397",
        "weibo21-test-1403", "weibo21-test-1406", "weibo21-test-1411", "weibo21-test-1415",
        "weibo21-test-1439", "weibo21-test-1465", "weibo21-test-1487", "weibo21-test-1491",
        "weibo21-test-1494", "weibo21-test-1512", "weibo21-test-1513", "weibo21-test-1547",
        "weibo21-test-1548", "weibo21-test-1551", "weibo21-test-1556", "weibo21-test-1565",
        "weibo21-test-1571", "weibo21-test-1576", "weibo21-test-1578", "weibo21-test-1582",
        "weibo21-test-1604", "weibo21-test-1607", "weibo21-test-1615", "weibo21-test-1637",
        "weibo21-test-1670", "weibo21-test-1678", "weibo21-test-1703", "weibo21-test-1714",
        "weibo21-test-1730", "weibo21-test-1731", "weibo21-test-1734", "weibo21-test-1755",
        "weibo21-test-1764", "weibo21-test-1766", "weibo21-test-1771", "weibo21-test-1789",
        "weibo21-test-1797", "weibo21-test-1798", "weibo21-train-1618", "weibo21-train-1619",
        "weibo21-train-1633", "weibo21-train-1635", "weibo21-train-1658", "weibo21-train-1666",
        "weibo21-train-1671", "weibo21-train-1714", "weibo21-train-1715", "weibo21-train-1721",
        "weibo21-train-1722", "weibo21-train-1737", "weibo21-train-1746", "weibo21-train-1751",
        "weibo21-train-1762", "weibo21-train-1772", "weibo21-train-1779", "weibo21-train-1786",
        "weibo21-train-1787", "weibo21-train-1788", "weibo21-train-1804", "weibo21-train-1807",
        "weibo21-train-1817", "weibo21-train-1824", "weibo21-train-1829", "weibo21-train-1830",
        "weibo21-train-1835", "weibo21-train-1837", "weibo21-train-1853", "weibo21-train-1861",
        "weibo21-train-1864", "weibo21-train-1872", "weibo21-train-1873", "weibo21-train-1883",
        "weibo21-train-1884", "weibo21-train-1898", "weibo21-train-1899", "weibo21-train-1901",
        "weibo21-train-1915", "weibo21-train-1918", "weibo21-train-1920", "weibo21-train-1923",
        "weibo21-train-1939", "weibo21-train-1942", "weibo21-train-1946", "weibo21-train-1968",
        "weibo21-train-1969", "weibo21-train-1976", "weibo21-train-1981", "weibo21-train-1985",
        "weibo21-train-1988", "weibo21-train-1994", "weibo21-train-2004", "weibo21-train-2006",
        "weibo21-train-2023", "weibo21-train-2043", "weibo21-train-2055", "weibo21-train-2066",
        "weibo21-train-2077", "weibo21-train-2083", "weibo21-train-2085", "weibo21-train-2092",
        "weibo21-train-2093", "weibo21-train-2099", "weibo21-train-2128", "weibo21-train-2130",
        "weibo21-train-2147", "weibo21-train-2153", "weibo21-train-2156", "weibo21-train-2162",
        "weibo21-train-2163", "weibo21-train-2170", "weibo21-train-2171", "weibo21-train-2176",
        "weibo21-train-2180", "weibo21-train-2185", "weibo21-train-2187", "weibo21-train-2192",
        "weibo21-train-2197", "weibo21-train-2213", "weibo21-train-2217", "weibo21-train-2289",
        "weibo21-train-2316", "weibo21-train-2345", "weibo21-train-2351", "weibo21-train-2375",
        "weibo21-train-2448", "weibo21-train-2457", "weibo21-train-2471", "weibo21-train-2475",
        "weibo21-train-2487", "weibo21-train-2491", "weibo21-train-2493", "weibo21-train-2498",
        "weibo21-train-2532", "weibo21-train-2547", "weibo21-train-2556", "weibo21-train-2577",
        "weibo21-train-2589", "weibo21-train-2640", "weibo21-train-2653", "weibo21-train-2654",
        "weibo21-train-2662", "weibo21-train-2664", "weibo21-train-2687", "weibo21-train-2697",
        "weibo21-train-2732", "weibo21-train-2757", "weibo21-train-2785", "weibo21-train-2822",
        "weibo21-train-2887", "weibo21-train-2888", "weibo21-train-2895", "weibo21-train-2897",
        "weibo21-train-2958", "weibo21-train-2972", "weibo21-train-2995", "weibo21-train-3000",
        "weibo21-train-3876", "weibo21-train-3883", "weibo21-train-3892", "weibo21-train-3899",
        "weibo21-train-3923", "weibo21-train-3930", "weibo21-train-3938", "weibo21-train-3960",
        "weibo21-train-3967", "weibo21-train-3991", "weibo21-train-4000", "weibo21-train-4002",
        "weibo21-train-4008", "weibo21-train-4010", "weibo21-train-4014", "weibo21-train-4022",
        "weibo21-train-4024", "weibo21-train-4079", "weibo21-train-4094", "weibo21-train-4108",
        "weibo21-train-4112", "weibo21-train-4124", "weibo21-train-4125", "weibo21-train-4135",
        "weibo21-train-4137", "weibo21-train-4147", "weibo21-train-4151", "weibo21-train-4161",
        "weibo21-train-4165", "weibo21-train-4172", "weibo21-train-4173", "weibo21-train-4181",
        "weibo21-train-4183", "weibo21-train-4193", "weibo21-train-4219", "weibo21-train-4220",
        "weibo21-train-4236", "weibo21-train-4237", "weibo21-train-4244", "weibo21-train-4274",
        "weibo21-train-4285", "weibo21-train-4296", "weibo21-train-4320", "weibo21-train-4323",
        "weibo21-train-4332", "weibo21-train-4348", "weibo21-train-4351", "weibo21-train-4361",
        "weibo21-train-4367", "weibo21-train-4399", "weibo21-train-4406", "weibo21-train-4408",
        "weibo21-train-4409", "weibo21-train-4422", "weibo21-train-4431", "weibo21-train-4434",
        "weibo21-train-4438", "weibo21-train-4445", "weibo21-train-4450", "weibo21-train-4453",
        "weibo21-train-4456", "weibo21-train-4457", "weibo21-train-4476", "weibo21-train-4477",
        "weibo21-train-4490", "weibo21-train-4503", "weibo21-train-4510", "weibo21-train-4512",
        "weibo21-train-4517", "weibo21-train-4537", "weibo21-train-4538", "weibo21-train-4549",
        "weibo21-train-4563", "weibo21-train-4571", "weibo21-train-4586", "weibo21-train-4587",
        "weibo21-train-4592", "weibo21-train-4595", "weibo21-train-4599", "weibo21-train-4604",
        "weibo21-train-4632", "weibo21-train-4633", "weibo21-train-4637", "weibo21-train-4653",
        "weibo21-train-4678", "weibo21-train-4682", "weibo21-train-4683", "weibo21-train-4712",
        "weibo21-train-4715", "weibo21-train-4738", "weibo21-train-4764", "weibo21-train-4792",
        "weibo21-train-4796", "weibo21-train-4798", "weibo21-train-4800", "weibo21-train-4812",
        "weibo21-train-4821", "weibo21-train-4837", "weibo21-train-4840", "weibo21-train-4862",
        "weibo21-train-4872", "weibo21-train-4873", "weibo21-train-4907", "weibo21-train-4909",
        "weibo21-train-4911", "weibo21-train-4914", "weibo21-train-4933", "weibo21-train-4943",
        "weibo21-train-4958", "weibo21-train-4960", "weibo21-train-5008", "weibo21-train-5009",
        "weibo21-train-5018", "weibo21-train-5044", "weibo21-train-5049", "weibo21-train-5056",
        "weibo21-train-5062", "weibo21-train-5064", "weibo21-train-5077", "weibo21-train-5078",
        "weibo21-train-5082", "weibo21-train-5084", "weibo21-train-5086", "weibo21-train-5111",
        "weibo21-train-5112", "weibo21-train-5115", "weibo21-train-5123", "weibo21-train-5133",
        "weibo21-train-5134", "weibo21-train-5138", "weibo21-train-5143", "weibo21-train-5152",
        "weibo21-train-5153", "weibo21-train-5174", "weibo21-train-5180", "weibo21-train-5193",
        "weibo21-train-5224", "weibo21-train-5233", "weibo21-train-5235", "weibo21-train-5246",
        "weibo21-train-5250", "weibo21-train-5254", "weibo21-train-5259", "weibo21-train-5309",
        "weibo21-train-5314", "weibo21-train-5325", "weibo21-train-5337", "weibo21-train-5353",
        "weibo21-train-5374", "weibo21-train-5385", "weibo21-train-5391", "weibo21-train-5396",
        "weibo21-train-5425", "weibo21-train-5426", "weibo21-train-5429", "weibo21-train-5453",
        "weibo21-val-0550", "weibo21-val-0552", "weibo21-val-0554", "weibo21-val-0555",
        "weibo21-val-0559", "weibo21-val-0572", "weibo21-val-0575", "weibo21-val-0576",
        "weibo21-val-0595", "weibo21-val-0598", "weibo21-val-0602", "weibo21-val-0603",
        "weibo21-val-0611", "weibo21-val-0613", "weibo21-val-0614", "weibo21-val-0623",
        "weibo21-val-0632", "weibo21-val-0635", "weibo21-val-0640", "weibo21-val-0643",
        "weibo21-val-0645", "weibo21-val-0659", "weibo21-val-0662", "weibo21-val-0674",
        "weibo21-val-0675", "weibo21-val-0678", "weibo21-val-0685", "weibo21-val-0697",
        "weibo21-val-0709", "weibo21-val-0723", "weibo21-val-0731", "weibo21-val-0733",
        "weibo21-val-0737", "weibo21-val-0738", "weibo21-val-0753", "weibo21-val-0772",
        "weibo21-val-0794", "weibo21-val-0800", "weibo21-val-0816", "weibo21-val-0821",
        "weibo21-val-0834", "weibo21-val-0836", "weibo21-val-0846", "weibo21-val-0852",
        "weibo21-val-0888", "weibo21-val-0895", "weibo21-val-0912", "weibo21-val-0917",
        "weibo21-val-0928", "weibo21-val-0971", "weibo21-val-0987", "weibo21-val-1297",
        "weibo21-val-1300", "weibo21-val-1327", "weibo21-val-1336", "weibo21-val-1343",
        "weibo21-val-1358", "weibo21-val-1362", "weibo21-val-1371", "weibo21-val-1374",
        "weibo21-val-1384", "weibo21-val-1410", "weibo21-val-1421", "weibo21-val-1425",
        "weibo21-val-1438", "weibo21-val-1445", "weibo21-val-1456", "weibo21-val-1471",
        "weibo21-val-1476", "weibo21-val-1480", "weibo21-val-1493", "weibo21-val-1497",
        "weibo21-val-1516", "weibo21-val-1521", "weibo21-val-1524", "weibo21-val-1538",
        "weibo21-val-1539", "weibo21-val-1546", "weibo21-val-1594", "weibo21-val-1600",
        "weibo21-val-1610", "weibo21-val-1617", "weibo21-val-1620", "weibo21-val-1637",
        "weibo21-val-1670", "weibo21-val-1682", "weibo21-val-1700", "weibo21-val-1717",
        "weibo21-val-1730", "weibo21-val-1736", "weibo21-val-1739", "weibo21-val-1743",
        "weibo21-val-1749", "weibo21-val-1756", "weibo21-val-1773", "weibo21-val-1786",
        "weibo21-val-1791", "weibo21-val-1801", "weibo21-val-1812", "weibo21-val-1818",
    }
)  # fmt: skip
WEIBO21_RELEVANT = frozenset(
    {
        "weibo21-test-0563", "weibo21-test-0583", "weibo21-test-0602", "weibo21-test-0613",
        "weibo21-test-0629", "weibo21-test-0714", "weibo21-test-0721", "weibo21-test-0722",
        "weibo21-test-0736", "weibo21-train-1619", "weibo21-train-1635", "weibo21-train-1714",
        "weibo21-train-1721", "weibo21-train-1746", "weibo21-train-1884", "weibo21-train-1901",
        "weibo21-train-1920", "weibo21-train-1942", "weibo21-train-1946", "weibo21-train-1969",
        "weibo21-train-1988", "weibo21-train-2023", "weibo21-train-2055", "weibo21-train-2077",
        "weibo21-train-2083", "weibo21-train-2085", "weibo21-train-2092", "weibo21-train-2171",
        "weibo21-train-2187", "weibo21-train-2351", "weibo21-train-2491", "weibo21-train-2556",
        "weibo21-train-4024", "weibo21-train-4274", "weibo21-val-0550", "weibo21-val-0555",
        "weibo21-val-0611", "weibo21-val-0685", "weibo21-val-0697", "weibo21-val-0723",
        "weibo21-val-0738", "weibo21-val-1297", "weibo21-val-1739",
    }
)  # fmt: skip
WEIBO21_AMBIGUOUS = frozenset(
    {
        "weibo21-test-0671", "weibo21-test-0678", "weibo21-test-1771", "weibo21-train-1751",
        "weibo21-train-1939", "weibo21-train-2156", "weibo21-train-2163", "weibo21-train-2785",
        "weibo21-train-3000", "weibo21-train-4587", "weibo21-train-4943", "weibo21-train-5391",
        "weibo21-train-5426", "weibo21-val-0554",
    }
)  # fmt: skip

DRAWN_FILE = Path(__file__).with_name("relevance_drawn_labels.json")
# The fifth pass's training part (``relevance_net_draw``'s train_net), same format.
NET_FILE = Path(__file__).with_name("relevance_net_labels.json")
DRAWN_VALUES = ("relevant", "not_relevant", "ambiguous")


class LabelFileError(ValueError):
    """A label file that does not hold what its loader expects (the file and the record named)."""


@lru_cache(maxsize=2)
def drawn_labels(path: Path = DRAWN_FILE) -> dict[str, str]:
    """Pointer ("ced:LINE", or a Weibo21 / mm17 id) → relevant / not_relevant / ambiguous."""
    try:
        posts = json.loads(path.read_text(encoding="utf-8"))["posts"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LabelFileError(f"{path}: expected a JSON object with a 'posts' list ({exc})") from exc
    labels: dict[str, str] = {}
    for number, post in enumerate(posts):
        if (
            not isinstance(post, list)
            or len(post) != 2
            or not isinstance(post[0], str)
            or post[1] not in DRAWN_VALUES
        ):
            raise LabelFileError(
                f"{path}: posts[{number}]: expected [pointer, one of {', '.join(DRAWN_VALUES)}],"
                f" got {post!r}"
            )
        if post[0] in labels:
            raise LabelFileError(f"{path}: posts[{number}]: {post[0]} is labelled twice")
        labels[post[0]] = post[1]
    return labels
