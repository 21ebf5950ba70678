"""替换自由文本中能认出居民的内容:手机和座机号码、身份证号、卡号和其他长数字、电子邮箱,
以及带提示词的姓名("我叫…"、"my name is …")。
Replacing what identifies a resident in free text: phone, ID and card numbers, e-mail addresses
and names given with a cue.

One set of rules for every place that keeps residents' words without needing to know who wrote
them: the NLU inbox and its training examples, and everything an anonymous report leaves behind
(R7: its transcript, its ticket's words, what the dispatchers' group and exports show).
Addresses stay: a crew needs them, and what may be shown of them is decided where they are shown.
"""

from __future__ import annotations

import re

from bot.core.text.address import looks_like_estate
from bot.core.text.phone import SPOKEN_NUMBER

# What a phone number becomes by default; the NLU inbox passes one the tokenizer already masks.
PHONE = "[电话]"
# The NLU inbox's placeholder: a real-looking mobile number, so the model still reads a phone.
PLACEHOLDER_PHONE = "13800000000"
NAME = "[姓名]"

_HAN = "\u4e00-\u9fff"
# Where a name typed after a cue ends: punctuation, a space, the end, or words that usually follow
# it ("我叫王明住在…", "我叫王明,电话…"). Without such an end, the next two or three characters.
_NAME_END = r"(?=[\s,，。.!！?？;；:：、(（]|$|住|家|在|的|是|电话|手机|联系|身份证|邮箱|今年)"
_CHINESE_NAME = rf"(?:[{_HAN}·]{{2,4}}?{_NAME_END}|[{_HAN}]{{2,3}})"
_NAME_CUES = (
    r"我叫|我的名字(?:是|叫)|名字(?:是|叫)|本人(?:是|叫)|姓名(?:是|为|叫)?\s*[:：]?|联系人(?:是|为)?\s*[:：]?|"
    r"(?<=\[姓名\][,，])\s*叫"  # "我姓吴,叫小红": the given name after the surname
)

_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
    # Chat accounts: a WeChat id (wxid_…, or any id after 微信/WeChat) and a QQ number.
    (re.compile(r"wxid_\w+", re.IGNORECASE), "[账号]"),
    (
        re.compile(
            r"(?:微信号?|vx|wechat(?:\s*id)?|weixin|QQ号?)\s*(?:号码?|是|为|:|：|\bis\b|=)?\s*[A-Za-z0-9][\w-]{4,19}",
            re.IGNORECASE,
        ),
        "[账号]",
    ),
    (re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])"), "[身份证号]"),
    # A car's plate names its owner as surely as a phone number ("车牌鲁C12345").
    (
        re.compile(
            r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z]\s*[·•]?\s*[A-Z0-9]{5,6}(?![A-Za-z0-9])"
        ),
        "[车牌]",
    ),
    # Bank cards written in groups of four ("6222 0212 3456 7890"), before the phone rules below
    # take eleven of their digits for a mobile number.
    (re.compile(r"(?<!\d)\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?(?!\d)"), "[号码]"),
]
# Phone numbers however their digits are spaced: "139 5555 6666", "139.5555.6666", "(0533)2345678",
# "0533 234 5678". A date ("2026-12-03") or a sum ("2345.50") starts with neither 1[3-9] nor 0.
_PHONE_RULES = [
    re.compile(r"(?<!\d)(?:\+?86[ .-]?)?1[3-9](?:[ .-]?\d){9}(?!\d)"),
    re.compile(r"(?<!\d)[(（]?0\d{2,3}[)）]?(?:[ .-]?\d){7,8}(?!\d)"),
]
# A number read out in English words ("one three nine, five five five five…"): seven digits or more.
_DIGIT_WORD = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|double|triple)"
_SPOKEN_ENGLISH_NUMBER = re.compile(rf"\b{_DIGIT_WORD}(?:[\s,.-]+{_DIGIT_WORD}){{6,}}\b", re.IGNORECASE)
# Characters nobody sees, which split a number where no rule looks for it ("139\u200b5555…").
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
# Account, card and other long numbers (the inbox's phone placeholder itself is left alone).
_LONG_NUMBER = re.compile(rf"(?<!\d)(?!{PLACEHOLDER_PHONE}(?!\d))\d{{9,}}(?!\d)")
# What follows "我是…的" or "我是" when it is who one is, not a name ("我是3号楼的住户", "我是业主").
_ROLES = (
    "住户|业主|居民|租户|房东|老人|家属|用户|邻居|楼长|物业|人|老师|学生|退休|"
    # One's job, which a complaint from inside the company needs to say ("我是你们公司的维修工").
    "维修工|抄表员|收费员|员工|职工|工人|师傅|电工|焊工|司机|保安|保洁|客服|会计|班长|临时工"
)
# Who one is as a resident, after which a name may follow ("我是602的住户吴小红,").
_RESIDENT_ROLES = "住户|业主|居民|租户|房东|房主|楼长|单元长|网格员|业委会(?:主任|委员)?"
# The commonest surnames: a bare two- or three-character answer starting with one of them is
# most likely who the resident is ("吴小红" where the estate is asked).
_COMMON_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范廖贾夏韦付方邹孟熊秦邱尹薛闫段雷侯史陶黎贺顾毛郝龚邵严覃戴莫孔汤"
)

_NAME_RULES = [
    # First, so that the given name after it is found too ("我姓吴,叫小红": _NAME_CUES).
    # A surname alone names a family in a small building: "我姓赵", "免贵姓赵", "姓钱,…" first. Not
    # "老百姓", nor the accused's ("上周三来的,姓王的师傅": what the complaint is about).
    re.compile(rf"(?P<cue>(?:我|俺|本人|鄙人|免贵)姓|^\s*姓)\s*(?P<name>(?!名)[{_HAN}])(?!的)"),
    # Not "姓名不方便说", "名字保密": words that withhold the name.
    re.compile(rf"(?P<cue>{_NAME_CUES})\s*(?P<name>(?!不|保密|没|无可|就不){_CHINESE_NAME})"),
    # "我是3号楼301的王秀英", "我是王秀英,": a name after a self-introduction, before punctuation.
    re.compile(
        rf"(?P<cue>我是[^,，。!！?？]{{0,16}}?的|我是)(?P<name>(?!{_ROLES})[{_HAN}]{{2,3}})(?=[\s,，。.!！?？;；]|$)"
    ),
    re.compile(
        r"(?P<cue>\b(?i:this is|i am|i'm)\s+)(?P<name>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,2})(?=\s+from\b|[\s,.!?;]|$)"
    ),
    # A relative's name names the family: "俺闺女叫赵小燕", "我老伴叫张桂芝", "我媳妇李秀兰也在场".
    re.compile(
        rf"(?P<cue>(?:闺女|女儿|儿子|老伴|媳妇|老婆|丈夫|老公|爱人|妻子|孩子|父亲|母亲|爸爸|妈妈|老爷子|老太太)"
        rf"(?:叫|名叫)\s*)(?P<name>[{_HAN}]{{2,3}}?)(?=[\s,，。.!！?？;；在也的和跟是]|$)"
    ),
    re.compile(
        rf"(?P<cue>(?:闺女|女儿|儿子|老伴|媳妇|老婆|丈夫|老公|爱人|妻子)\s*)"
        rf"(?P<name>[{_COMMON_SURNAMES}][{_HAN}]{{1,2}}?)(?=也|在|的|和|跟|[\s,，。.!！?？;；]|$)"
    ),
    # "本人李四,", "俺是老赵,", "鄙人王某": a name straight after such a cue, before punctuation.
    re.compile(
        rf"(?P<cue>本人|俺是|俺叫|咱是|咱叫|鄙人)\s*(?P<name>(?!{_ROLES})[{_HAN}]{{2,3}})(?=[\s,，。.!！?？;；]|$)"
    ),
    # "我是602的住户吴小红,": a name straight after who one is, before punctuation.
    re.compile(
        rf"(?P<cue>我是[^,，。!！?？]{{0,16}}?(?:{_RESIDENT_ROLES})\s*)(?P<name>(?!{_ROLES}|们)[{_HAN}]{{2,3}})(?=[\s,，。.!！?？;；]|$)"
    ),
    # The reporter named as such ("举报人张三,", "投诉人:李秀英"), and a name owned up to ("我就是王建国",
    # "那个 王建国 就是我"): not "举报人是我邻居", "这就是我家".
    re.compile(
        rf"(?P<cue>(?:举报人|投诉人|反映人|报案人|来电人|联系人)[:：\s]*|我就是)"
        rf"(?P<name>(?!{_ROLES}|是)[{_COMMON_SURNAMES}][{_HAN}]{{1,2}})(?=[\s,，。.!！?？;；]|$)"
    ),
    re.compile(rf"(?P<cue>^|[\s,，。、:：]|那个|这个)(?P<name>[{_COMMON_SURNAMES}][{_HAN}]{{1,2}})(?=\s*就是我)"),
    # The first word after the cue in any case; further ones only capitalised ("John Smith").
    re.compile(
        r"(?P<cue>(?i:my name is|my name's|i am called|i'm called|call me|name\s*:)\s*)"
        r"(?P<name>[A-Za-z][\w'-]*(?:\s+[A-Z][\w'-]*){0,2})"
    ),
]


# The flat in an anonymous complaint's words: the room after a building or unit ("3号楼301",
# "2单元502"), a room with its mark ("301室"), or "room 301". The estate and building stay.
_FLAT = [
    re.compile(r"(?<=号楼|单元)\s*\d{2,4}\s*(?:室|房间?|号房|号)?|(?<=[栋幢])\s*\d{3,4}"),
    re.compile(r"(?<!\d)\d{3,4}\s*(?:室|房间|号房)"),
    re.compile(r"\b(?:room|flat|apt\.?|apartment)\s*#?\s*\d{1,4}\b", re.IGNORECASE),
    re.compile(r"(?<=我家)\s*\d{3,4}(?!\d)"),  # "在我家502门口"
    re.compile(r"(?<=门|元)\s*(?:\d{3,4}|[零〇一二三四五六七八九]{3,4})(?!\d)"),  # "3栋2门501", "二单元五零一"
    re.compile(r"(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s*楼\s*[东西南北中]\s*(?:户|边|侧|门)"),  # "五楼东户"
    # Who one is by one's flat: "我是602的住户", "住602", "602的业主".
    re.compile(rf"(?:(?<=我是|住在|我住)|(?<=住))\s*\d{{3,4}}|(?<!\d)\d{{3,4}}(?=\s*的?(?:{_ROLES}))"),
    re.compile(
        r"(?<=我是)[^,，。.!！\d]{0,4}?(?<![\d号楼])\d{3,4}(?=的(?:[,，。.!！\s]|$))|(?<=[,，])\s*\d{3,4}(?=的(?:[,，。.!！\s]|$))"
    ),
]
FLAT = "[房号]"
# The traditional forms of the marks the rules read, one for one.
_TRADITIONAL_MARKS = str.maketrans("號樓單棟門層戶", "号楼单栋门层户")
# "5-1-502": building, unit and room in one.
_DASHED_FLAT = re.compile(r"(?<![\d-])(?P<building>\d{1,3})\s*-\s*\d{1,2}\s*-\s*\d{1,5}(?![\d-])")
# The stairwell: a unit holds a dozen households, few enough to guess the one who complained.
_UNIT = re.compile(
    r"(?<![\d\[])(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s*(?:单元|门(?![口牌卫面诊店市]))|\bunit\s*#?\s*\d{1,2}\b",
    re.IGNORECASE,
)
UNIT = "[单元]"


# The tags above stand in a resident's words; an English resident reads them in English (the
# summary of an anonymous report shows what its ticket keeps).
_ENGLISH_TAGS = {
    PHONE: "[phone]", NAME: "[name]", "[账号]": "[account]", "[身份证号]": "[ID number]",
    "[号码]": "[number]", "[房号]": "[flat]", "[单元]": "[unit]", "[车牌]": "[plate]",
}  # fmt: skip


def tags_in(text: str, language: str) -> str:
    """`text` with its redaction tags in `language` ("zh": as they are)."""
    if language != "en":
        return text
    for tag, english in _ENGLISH_TAGS.items():
        text = text.replace(tag, english)
    return text


def redact_flat(text: str) -> str:
    """`text` without the flat and its unit: in an anonymous complaint they point at the one who
    complained (R7). The estate and the building stay, for the case to be looked into."""
    text = text.translate(_TRADITIONAL_MARKS)  # "3號樓2單元501" is read as "3号楼2单元501"
    text = _DASHED_FLAT.sub(lambda match: f"{match.group('building')}号楼{UNIT}{FLAT}", text)
    for pattern in _FLAT:
        text = pattern.sub(FLAT, text)
    return _UNIT.sub(UNIT, text)


def redact_identifiers(text: str, phone_placeholder: str = PHONE) -> str:
    """`text` with every phone, ID, card and long number, e-mail address and cued name replaced."""
    text = _INVISIBLE.sub("", text)
    for pattern, placeholder in _RULES:
        text = pattern.sub(placeholder, text)
    for pattern in _PHONE_RULES:
        text = pattern.sub(phone_placeholder, text)
    text = _SPOKEN_ENGLISH_NUMBER.sub(phone_placeholder, text)
    text = _LONG_NUMBER.sub("[号码]", text)
    text = SPOKEN_NUMBER.sub("[号码]", text)  # read out in Chinese digits (voice-to-text)
    for pattern in _NAME_RULES:
        text = pattern.sub(lambda match: match.group("cue") + NAME, text)
    return text


# Villages and streets the estate rules do not count: "张庄", "李村", "王家屯", "周巷".
_PLACE_ENDS = "庄村屯寨营店街路巷院区镇乡湖山桥港坊居阁舍里园苑府城湾"


def a_name_alone(text: str) -> bool:
    """Whether the text is nothing but what looks like a Chinese person's name: a common surname
    and one or two more characters, with no place word ("吴小红", not "吴家庄" or "王府花园")."""
    name = text.strip()
    return (
        bool(re.fullmatch(rf"[{_COMMON_SURNAMES}][{_HAN}]{{1,2}}", name))
        and not looks_like_estate(name)
        and name[-1] not in _PLACE_ENDS
    )


def anonymous_words(text: str, language: str, *, complaint: bool) -> str:
    """What an anonymous ticket keeps of the resident's words (its description, the address as
    typed, a follow-up's comment): no phone, name or chat account; for a complaint not the flat
    either (it would name the one who complained, R7)."""
    words = redact_identifiers(text)
    if complaint:
        words = redact_flat(words)
    return tags_in(words, language)
