"""Three news texts for near-duplicate tests: a story, the same story edited by a reposting
site (source line, a cut sentence, an editor's note) and a different notice of the same bureau."""

from __future__ import annotations

STORY = (
    "江州市市场监管局11月16日通报，青禾镇一家食品厂生产的鑫达牌速冻水饺抽检中检出致病菌。"
    "市场监管局已责令企业召回同批次产品，并对生产车间进行停产整顿。"
    "监管人员提醒消费者，如已购买该批次产品，可凭购物凭证到原购买点退货。"
    "此次抽检共涉及速冻食品二十三批次，其余批次均符合食品安全国家标准。"
)


EDITED = (
    "来源：临川新闻网\n江州市市场监管局16日通报，青禾镇一家食品厂生产的鑫达牌速冻水饺抽检中检出致病菌。"
    "市场监管局已责令企业召回同批次产品，并对生产车间停产整顿。"
    "此次抽检共涉及速冻食品二十三批次，其余批次均符合食品安全国家标准。（责任编辑：李娜）"
)


OTHER = (
    "江州市市场监管局11月16日发布消费提示：近期气温下降，燃气热水器使用量增加。"
    "请消费者购买有质量合格证明的产品，安装时请专业人员操作，使用时注意通风，谨防一氧化碳中毒。"
)
