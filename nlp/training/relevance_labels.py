"""Hand labels for training the relevance model: CED development posts read by a person.

Like ``nlp.training.evaluation`` this holds line numbers of ``../shared/datasets/ced`` only,
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

Posts after ``READ_UP_TO`` (the non-rumour half of the file is mostly everyday chatter) keep
the lexicon's weak labels (``relevance_train``'s docstring).
"""

from __future__ import annotations

READ_UP_TO = 1649
SHOWN_ALL_FROM = 609
UNREAD = frozenset(range(904, 942))
RELEVANT = frozenset(
    {
        40, 68, 101, 133, 151, 176, 185, 213, 257, 268, 372, 374, 385, 387, 446, 448, 464, 522,
        539, 603, 648, 681, 690, 694, 695, 708, 723, 731, 849, 890, 1030, 1067, 1213, 1466,
        1545, 278,
    }
)  # fmt: skip
AMBIGUOUS = frozenset({43, 154, 311, 420, 714, 1298, 1540})
