"""The words of whistle-blowing: a bribe, a kickback, money taken without a receipt, a secret
connection to the network. A message with them reports wrongdoing (a complaint, R5/R7), whatever
else it says or however a bag of words reads it ("师傅收红包,我微信号是zhangwei88")."""

from __future__ import annotations

import re

_WHISTLE = re.compile(
    r"举报|舉報|红包|紅包|回扣|受贿|受賄|行贿|贿赂|賄賂|好处费|私接|偷热|偷接|吃拿卡要|"
    r"(?:不|没|沒)(?:给|給|开|開)(?:收据|收據|发票|發票|票)|(?:要|收)了.{0,6}(?:烟|煙|酒|钱|錢|红包)才|"
    r"(?:跟|向|找)我(?:要|討|讨)了?.{0,4}(?:钱|錢|红包|紅包|好处|好處|烟|煙|酒)|"
    r"bribe|kickback|whistle|no receipt|without (a )?receipt|illegal connection|under the table|"
    r"if I (?:pay|paid|give|gave) (?:him|her|them)|(?:asked|wanted|demanded) (?:me )?for (?:money|cash|a tip)|"
    r"(?:pay|paid|give|gave) (?:him|her|them) \d+|cash in hand|backhander",
    re.IGNORECASE,
)


def tells_of_bribery(text: str) -> bool:
    return bool(_WHISTLE.search(text))
