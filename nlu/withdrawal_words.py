"""The words of a resident taking their own report back: "算了不举报了,取消", "我不想投诉了",
"never mind, forget the complaint", "哈哈开玩笑的 没啥事 你别当真".

A bag of words reads "不举报了" as a complaint (举报 weighs more than 不…了), so a withdrawal
inside a report became its address or its description. Only a message that says nothing else
counts: "你们取消了我的预约" or "不投诉了,但是得给个说法" keep the model's reading.
"""

from __future__ import annotations

import re

# Taking a report back: "不(想/要/用)(再)举报了", "取消(吧)", "cancel", "forget the complaint".
_WITHDRAWS = re.compile(
    r"(?:不|别|別)(?:想|要|用|打算)?(?:再)?(?:举报|舉報|投诉|投訴|报修|報修|反映|报|報|修|弄|提交)了?|"
    r"撤(?:回|销|銷|掉)?|作废|作廢|取消|"
    # "哈哈开玩笑的 没啥事 你别当真", "不用登记 再见": a report started in jest, or no longer wanted.
    r"开(?:个)?玩笑(?:的)?|開(?:個)?玩笑(?:的)?|逗你玩|(?:你)?别当真|別當真|(?:不用|别|不要)登记|没啥事|"
    r"\b(?:just|only) (?:kidding|joking)\b|"
    r"\b(?:cancel|withdraw|scrap|drop)\b|never ?mind|forget (?:it|about it|the \w+)|"
    r"(?:don'?t|do not) want to (?:complain|report|file)\w*",
    re.IGNORECASE,
)
# What may stand beside it without saying more: "算了", "还是", "我", "吧", "it", "please", punctuation.
_FILLER = re.compile(
    r"算了|还是|還是|我|那|就|先|吧|了|啦|哈|啊|呀|吧|的|这个|這個|那个|那個|刚才|剛才|的话|再见|拜拜|"
    r"\b(?:please|ok|okay|actually|i|it|the|my|report|complaint|anymore|any more|just|then|so|bye|lol)\b|"
    r"[\s,，.。!！~～、…;；]",
    re.IGNORECASE,
)


def only_withdraws(text: str) -> bool:
    """Whether the message takes the resident's report back and says nothing else."""
    if not _WITHDRAWS.search(text):
        return False
    return not _FILLER.sub("", _WITHDRAWS.sub("", text)).strip()
