"""Words that say water, steam or gas is escaping (R1: 跑、冒、滴、漏), and their denials.

Plain `re`, no Rasa: the NLU's safety net (nlu/leak_safety.py) and the actions' reading of a
request that also reports something (actions/intake.py) share this one list. Simplified and
traditional forms both, since the actions see the resident's own characters.
"""

from __future__ import annotations

import re

_ESCAPING = re.compile(
    r"(?<!遗)(?<!遺)漏(?!风|風|洞|掉|电|電|接|看|交|缴|繳|报|報|填|写|寫)|渗|滲|滴水|滴答|冒水|冒汽|冒氣|冒气|冒热气|冒熱氣|喷水|噴水|往外喷|往外噴|爆管|爆了|淌水|跑水|"
    r"(?:流水|流水儿)(?!的?(?:声|聲|动静|動靜))|燃气味|燃氣味|煤气味|煤氣味|天然气味|天然氣味|臭鸡蛋味|臭雞蛋味|"
    r"滋水|呲水|一滩水|一摊水|一灘水|一攤水|积水|積水|水漫|往下流水|往外流水|gas\s*味|冒\s*(?:steam|water|hot water)|"
    # "水还一直在流", "都流到客厅了", "水比刚才还大了": water running now, in so many words.
    r"水[^,，。.!！?？\s]{0,4}(?<!交)流(?!量|程|感|行|动|動|利|露|声|聲|水声|水聲)|流到(?:了)?(?:客厅|客廳|卧室|臥室|楼下|樓下|地上|屋里|屋裡|门口|門口|走廊)|"
    r"淹了|水更大|水越来越大|水越來越大|水比刚才还?大|水比剛才還?大|液化气|液化氣|液化石油气|硫化氢|硫化氫|硫磺味|硫黄味|"
    r"\bleak|\bdrip|\bburst|\bspray|\bspurt|\bsquirt|\bgush|\btrickl|\bpouring\b|\bseep|\bflood|\bpuddle|"
    r"\bsoaked\b|water everywhere|spitting (?:hot )?water|(?:water|steam) (?:is )?(?:escaping|collecting)\b|"
    r"steam (?:is )?(?:coming|escaping|pouring|blowing)|smell(?:s|ing)? (?:of )?gas|gas smell",
    re.IGNORECASE,
)
# "没漏水", "不是漏水", "一滴水都没有", "地上也没积水", "没有 leak", "nothing is leaking", "no hot water
# on the floor", "there's no puddle", "the carpet isn't soaked".
_DENIED = re.compile(
    r"(?:没|沒|不|无|無|未)(?:有|在|再|是)?\s*(?:漏|渗|滲|滴|冒|leak)|一滴水(?:都|也)?(?:没|沒)|(?:没|沒)有?水|"
    r"(?:没|沒)有?(?:积|積)水|(?:没|沒)有?一[滩摊灘攤]水|"
    r"(?:\bno|\bnot|n't|\bnothing(?: is)?|\bwithout|\bnever)\s+(?:any\s+)?(?:hot\s+|warm\s+)?(?:leak|drip|water|puddle|soaked)",
    re.IGNORECASE,
)


def says_something_escapes(text: str) -> bool:
    """True when the message says water, steam or gas escapes and does not deny it."""
    return bool(_ESCAPING.search(text)) and not _DENIED.search(text)


_GAS_SMELL = re.compile(
    r"燃气味|燃氣味|煤气味|煤氣味|天然气味|天然氣味|臭[鸡雞]蛋|(?<![a-z])gas\s*味|"
    r"液化[气氣石].{0,6}(?:漏|味)|(?:气|氣)罐.{0,4}(?:漏|味)|硫化[氢氫]|硫[磺黄黃]味|"
    r"(?:lpg|propane|butane)(?: cylinder| tank| bottle)? (?:is )?(?:leak|smell)|smell(?:s|ing)? (?:of )?(?:lpg|propane|butane)|"
    r"smell(?:s|ing)? (?:of )?gas(?![a-z])|gas smell|gas (?:is )?(?:leaking|escaping)|rotten[- ]eggs?|sulph?ur(?:ous)? smell",
    re.IGNORECASE,
)


def smells_of_gas(text: str) -> bool:
    """True when the message says gas can be smelt or escapes (the gas advice, not the water one)."""
    return bool(_GAS_SMELL.search(text))
