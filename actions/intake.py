"""Taking down a report (R8): category, address, what happened, callback phone and time."""

from __future__ import annotations

import re
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, ClassVar

import zhconv
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    ASKS_FOR_PERSON,
    ASKS_IF_A_BOT,
    Ask,
    AskingFormValidation,
    HotlineAction,
    button,
    channel_of,
    harm_advice,
    in_danger,
    language_of,
    latest_intent,
    names_gas,
    only_changes,
    report_text,
    reset_intake,
    safety_advice,
    say,
    squash,
)
from actions.corrections import earlier_answer_corrected
from actions.drafts import draft_from_slots, keep_unfinished
from actions.followup import end_followup_for_new_report, same_leak, still_leaking
from actions.outage import ask_outage_choice, earlier_address, outage_slots, read_outage_choice, with_outage_question
from actions.privacy_requests import answered_privacy_request
from actions.status import (
    asks_how_it_goes,
    brings_news,
    for_a_filed_ticket,
    gives_another_number,
    note_addition,
    own_open_ticket_named,
    phone_after_filing,
    recent_open_ticket,
    tell_status,
)
from actions.unit_of_work import ActionCall
from bot.core.billing import answer_billing, billing_answer_in, money_matter_in
from bot.core.conversation.messages import FIELD_NAMES, join_names, name_of
from bot.core.conversation.privacy import forget_sender
from bot.core.models import Category, Ticket
from bot.core.outages.estates import alias_table, estate_named_in
from bot.core.text.address import Address, address_from_parts, looks_like_estate, parse_address
from bot.core.text.phone import check_phone, find_phone, valid_phones, with_spoken_digits
from bot.core.text.redaction import a_name_alone
from bot.core.text.temperature import cold_room_reading
from bot.core.text.ticket_codes import find_ticket_code, without_ticket_codes
from bot.core.tickets.additions import awaits_answer_to_staff
from bot.core.tickets.intake import make_filed_anonymous, tickets_of_sender, utcnow
from bot.core.tickets.unfinished import filed_anonymously_while_away, filed_ticket_of, forget_unfinished
from nlu.leak_words import says_something_escapes, smells_of_gas
from nlu.not_ours import appliance_trouble_only
from nlu.whistle_words import tells_of_bribery

_NO_HEAT = re.compile(
    r"不热|不熱|不暖|不怎么热|不太热|不供暖|没暖气|没有暖气|沒暖氣|停暖|冰凉|冰涼|冻得|凍得|no heat|heating (?:has )?stopped|"
    r"heating(?: is)? off|not working|not warm|not hot|cold|freezing",
    re.IGNORECASE,
)
# "The same as before": the chat's last report's answer is meant ("同上", "地址一样", "same address").
_SAME_AS_BEFORE = re.compile(
    r"^\s*(?:还是)?(?:同上|一样|和?(?:刚才|上次|之前|上回)的?一样|(?:地址|电话)(?:也|还是)?(?:一样|同上|不变)|还是那个)"
    r"|same (?:address|number|phone|as before|as last time)|as before",
    re.IGNORECASE,
)
# "我没有手机": not a wrong number but none; there are other ways to be called back.
_NO_PHONE = re.compile(
    r"没有?手机|不用手机|没有电话|no (?:mobile|phone|cell)|don'?t have a (?:mobile|phone|cell)", re.IGNORECASE
)
# Water that is not the heating's: the tap, the toilet, the drain.
_MAINS_WATER = re.compile(
    r"水龙头|龙头|马桶|自来水|下水|水管子?.{0,4}厨房|洗手池|水池|toilet|faucet|\btap\b|sink|drain", re.IGNORECASE
)
_HEATING = re.compile(r"暖气|暖氣|散热器|地暖|热水管|供暖|radiator|heating|heater", re.IGNORECASE)


def mains_water_only(text: str) -> bool:
    """A tap, a toilet or a drain, and nothing of the heating."""
    return bool(_MAINS_WATER.search(text)) and not _HEATING.search(text)


# A request not to be named, in the resident's own words (R7): 匿名 and "anonymous", but also
# "别说是我报的", "别让他知道是我说的", "不要留我的名字", "don't mention my name", "keep me out of it".
_ANONYMOUS = re.compile(
    r"匿名|不留名|(?:替|为|给)我保密|(?:不敢|不想|不愿意?|不方便)实名|怕(?:被|遭)?(?:打击)?报复|"
    r"(?:别|不要|不用|千万别|请勿)\s*(?:说|讲|告诉|透露|让(?!\s*(?:楼上|楼下|邻居|对门|隔壁|对面)).{0,8}?知道|提)(?!给?\s*(?:楼上|楼下|邻居|对门|隔壁|对面))[^,,。.!!]{0,8}?是我|"
    r"(?:别|不要|不想|不愿意?|请勿|千万别)\s*(?:留|登记|记录?|写|公开|透露|暴露|提|说出?|告诉.{0,6}?)(?:下|出)?(?:我的?)?"
    r"(?:名字|姓名|身份|电话|手机号?|号码|联系方式|信息)|"
    r"(?:电话|手机号?|号码|名字|姓名)(?:就|也|还是)?(?:(?:别|不要|不用|甭)(?:记|留|登记|写|存)|不(?:留|登记|存))|"
    r"不(?:想|愿意?)(?:让|被)?(?:别人|人|他们?|她)?知道是我|怕(?:被|让)?(?:别人|人家|人|他们?|她)?知道是我|"
    r"anonym|"
    r"(?:don'?t|do not|please don'?t|never|without)\s+(?:\w+\s+){0,2}?"
    r"(?:mention|use|give|share|pass on|reveal|tell|put|record|take|keep|store|save|log|write down|"
    r"saying|giving|using|mentioning)\s+"
    r"(?:\w+\s+){0,2}?(?:my name|my number|my identity|who i am|(?:that )?it was me|(?:that )?i (?:told|reported|called))|"
    r"(?:keep|leave)\s+(?:my name|me|my identity)\s+out|keep (?:my name|me|my identity|this) (?:confidential|private|secret)|"
    r"(?:delete|remove|forget|erase|drop)\s+my\s+(?:name|number|phone|details)|"
    r"off the record",
    re.IGNORECASE,
)
# "没有单元", "是独栋别墅", "it's a house": a place with no unit or room to ask for.
_NO_MORE_PARTS = re.compile(
    r"没有?(?:单元|房号|房间号|门牌号?|室号)|不分单元|一层(?:就|只有)?一户|独栋|独门独院|别墅|平房|自建房|四合院|"
    r"\bno (?:unit|room|flat|apartment)|there (?:is|are) no (?:units?|rooms?|flat)|(?:it'?s|it is|i live in) an? "
    r"(?:detached |single |private )?(?:house|villa|bungalow|cottage)|\bdetached\b|\bvilla\b",
    re.IGNORECASE,
)
# Words that add to what was said rather than replace it.
_ADDS_TO_IT = re.compile(
    r"\s*(?:补充|另外|还有|再加|加上|再说一下|顺便|\b(?:also|additionally|in addition|add|plus)\b)", re.I
)
# A place without estate, building and unit: a street number, a village, a shop front
# ("周村区新建路88号3楼东户", "幸福村东头第三家", "12号门市"). The crew goes by these words.
_STREET_OR_VILLAGE = re.compile(
    r"(?:路|街|大道|巷|胡同|弄)\s*[0-9一二三四五六七八九十百]+\s*号|[\u4e00-\u9fff]{1,6}(?:村|庄|屯|寨)(?![委民])|门市|商铺|底商|"
    r"\b\d+\s+\w+\s+(?:road|street|st|avenue|ave|lane)\b|\bvillage\b|"
    # A public place ("共青团路和西五路路口 人行道上那个井盖"): a passer-by's leak has no flat.
    r"路口|交叉口|人行道|马路|路边|街边|街角|广场|井盖|\b(?:intersection|crossing|corner of|sidewalk|pavement|manhole)\b",
    re.IGNORECASE,
)
# A request that names the kind of case but not what happened: ask for the details.
_GENERIC = re.compile(
    r"^(你好|您好)?[,,]?(我|我们)?(要|想|想要|需要)?(报修|维修|修理|投诉|举报|报漏水|反映(一下|个|一个)?(问题|情况|事)?|报个修)(一下)?[。.!!]*$"
    r"|^(?:hi|hello|hey)?[ ,]*(?:please[ ,]*)?(?:i(?:'d| would)? (?:like|want|need|wanna)|i have|can i|could i|may i)?"
    r"(?: to)? ?(?:make |file |lodge |raise |log )?(?:a |an )?(?:report|complain|complaint|fault report|repair request|"
    r"report a (?:fault|problem|leak|repair)|get (?:something|it) repaired)[ .!?]*(?:please)?[ .!?]*$",
    re.IGNORECASE,
)
_BARE_NUMBER = re.compile(r"^\s*(\d{1,5}|[零〇一二两三四五六七八九十]+)\s*(号|室|号楼|单元)?\s*$")
# "I'd rather not say" in answer to the address of an anonymous complaint.
_NOT_SAYING = re.compile(
    r"^(不方便|不便|不想说|不说|不提供|不透露|不愿透露|不想透露|不告诉|跳过|没有|无|不)[。.!! ]*$"
    r"|^(skip|no|none|n/?a|rather not|prefer not|i'?d rather not( say)?|i prefer not to say)[ .!]*$",
    re.IGNORECASE,
)


# Answers to "where?" that name no place at all, so they never become the address (taken as given
# after two tries): a short question back ("what?", "啥意思?"; a landmark may end in a question:
# "村东头老李家,知道吧?"), a greeting or an acknowledgement, a bare phone number, only punctuation or emoji.
_NO_PLACE = re.compile(
    r"[^,，、;；。.]{0,15}[?？]+"
    r"|(?:hello|hi|hey|ok|okay|yes|yeah|what|huh|sorry|thanks?|thank you|你好|您好|在吗|在不在|喂|嗯+|哦+|啊+|好的?|是的?|对|谢谢)"
    r"[\s,.!。!~]*"
    r"|[^\w]*",
    re.IGNORECASE,
)


# A question back that starts as one ("what should I do now?", "你们到底管不管?!"), and "wait, let
# me look" ("稍等我看看"): no place, however long.
_QUESTION_BACK = re.compile(
    r"(?:(?:what|how|why|when|where|who|should|shall|can|could|do|does|did|is|are|will|would)\b|怎么|怎样|什么|为什么|"
    r"咋|啥|要不要|能不能|是不是|有没有|你们|您们).*[?？]",
    re.IGNORECASE,
)
_WAITING = re.compile(
    r"(?:稍等|等一下|等等|等会|我看看|我找找|我问问|让我看看|我查一下|wait|hold on|one (?:sec|second|moment|minute)|"
    r"just a (?:sec|second|moment|minute)|let me (?:check|see|look))",
    re.IGNORECASE,
)


# The name of an intent or action, or a payload, typed as words (the relay never lets a message be
# a command; "/affirm" reaches Rasa as "affirm"): never a place, however often it comes.
_COMMAND_WORDS = re.compile(
    r"[\s/]*(?:affirm|deny|cancel|restart|stop|greet|goodbye|thank|help|inform|out_of_scope|nlu_fallback|"
    r"check_status|correct_field|billing_query|complaint|report_\w+|request_\w+|action_\w+|utter_\w+|external_\w+)"
    r"(?:\{.*\})?[\s.!。]*"
    r"|\s*\{.*\}\s*",
    re.IGNORECASE,
)


# "刚才那个投诉", "改成匿名", "the one I just sent": a request about the ticket the chat has filed.
_THE_FILED_ONE = re.compile(
    r"(?:刚才|刚刚|之前|前面|上一?次?)(?:那个|那张|的|提交的?|报的)|上一个|那张工单|那个工单|已经提交|已经登记|"
    r"(?:改成|改为|变成|设为|换成)匿名|"
    r"\b(?:that|the|my|last)\s+(?:one|ticket|report|complaint)\b|make it anonymous|already (?:sent|submitted|filed)",
    re.IGNORECASE,
)


# "别告诉楼上是我报的": kept from the neighbours, not from the company; the crew must still call.
_FROM_NEIGHBOURS = re.compile(
    r"(?:别|不要|千万别|请勿|不想)\s*(?:说|讲|告诉|透露|让)\s*给?\s*(?:楼上|楼下|邻居|对门|隔壁|对面)|"
    r"(?:don'?t|do not|never)\s+tell\s+(?:my |the )?(?:neighbou?rs?|upstairs|downstairs)",
    re.IGNORECASE,
)


def keeps_it_from_the_neighbours(text: str) -> bool:
    return bool(_FROM_NEIGHBOURS.search(text)) and not asks_for_anonymity(text)


def asks_for_anonymity(text: str) -> bool:
    """ "我要匿名", and the request in other words ("别说是我报的", "keep me out of it"), in
    traditional characters too ("別讓他知道是我")."""
    return bool(_ANONYMOUS.search(text) or _ANONYMOUS.search(zhconv.convert(text, "zh-cn")))


def only_asks_anonymity(text: str) -> bool:
    """A request not to be named and little else ("电话就不留了吧,我怕被他知道是我说的")."""
    rest = _ANONYMOUS.sub(" ", text)
    return bool(_ANONYMOUS.search(text)) and words_in(rest) < MORE_THAN_AN_ANSWER


# "随时", "下午", "any time": a call-back time and nothing else.
_JUST_A_TIME = re.compile(
    r"^(?:改成|改为|换成|change (?:it )?to )?(?:随时|隨時|上午|下午|晚上|中午|早上|白天|傍晚|越快越好|尽快|"
    r"any ?time|in the (?:morning|afternoon|evening)|mornings?|afternoons?|evenings?|whenever|asap)[。.!! ]*$",
    re.IGNORECASE,
)


def just_a_time(text: str) -> bool:
    return bool(_JUST_A_TIME.match(text))


def names_no_place(text: str) -> bool:
    """True for an answer to the address question that cannot be any part of an address."""
    phone = find_phone(text)
    rest = (text.replace(phone, "") if phone else text).strip()
    if _COMMAND_WORDS.fullmatch(rest) and not parse_address(rest).estate:
        return True
    return bool(_NO_PLACE.fullmatch(rest) or _QUESTION_BACK.match(rest) or _WAITING.match(rest) or just_a_time(rest))


def address_is_optional(category: str | None, anonymous: bool) -> bool:
    """An anonymous complaint (whistle-blowing too) needs no flat: a room number would point at
    the one resident who complained (R7). The estate, a building or nothing is enough. A leak
    or a repair still needs the flat, where the crew must go."""
    return anonymous and category == "complaint"


def enough_of_address(parts: dict[str, Any], language: str) -> str | None:
    """The address slot's value when an optional address already has some part, else None."""
    known = address_from_parts(parts)
    return None if known.missing() == list(Address.__dataclass_fields__) else known.format(language)


def subcategory_of(category: str, text: str) -> str | None:
    if category == "report_leak" and names_gas(text):
        return "gas"
    if category == "complaint" and tells_of_bribery(text):
        return "whistleblowing"
    if category == "complaint" and says_something_escapes(text):
        return "escaping"  # "报了漏水半天没人来,水还在往楼下流": urgent, as the leak is
    if category == "report_repair" and (_NO_HEAT.search(text) or cold_room_reading(text)):
        return "no_heat"
    return None


# How sure the model must be that a message in the middle of another question reports a leak.
LEAK_INTERRUPTS_ABOVE = 0.6
# The words of a place ("张店区共青团路", "华润小区3号楼"), which the model may read as a leak.
_NAMES_A_PLACE = re.compile(
    r"[路街巷区县镇村庄]|小区|花园|家园|公寓|新村|社区|大厦|宿舍|苑|号楼|单元|\b(?:road|street|avenue|garden|building)\b",
    re.IGNORECASE,
)
# ... and that an answer to "where?" tells the problem again rather than naming a place.
REPORT_AGAIN_ABOVE = 0.8
# ... or is something else: a question of another kind, small talk, thanks.
NOT_A_PLACE = {"out_of_scope", "greet", "goodbye", "thank", "help", "billing_query", "check_status"}
NOT_A_PLACE_ABOVE = 0.7


# "没有煤气味", "not gas": a denial of gas is no gas.
_NO_GAS = re.compile(
    r"没有?(?:闻到)?(?:煤|燃|天然)?气味|不是(?:煤|燃|天然)气|no (?:gas )?smell|not (?:a )?gas\b|don'?t smell",
    re.IGNORECASE,
)


def denies_gas(text: str) -> bool:
    """ "没有煤气味", "it's not gas": the gas words are there to say there is none."""
    return bool(_NO_GAS.search(text))


def leak_interruption(tracker: Tracker, dispatcher: CollectingDispatcher, language: str) -> dict[str, Any] | None:
    """A leak or gas reported in the middle of another report (or its summary): the safety
    advice now (R1), and the report becomes that leak, keeping the address and phone it has.
    The message is its description, never the answer to the question that was pending.
    None: not a leak, or the report is a leak already."""
    intent = tracker.latest_message.get("intent") or {}
    text = squash(tracker.latest_message.get("text") or "")
    if not text or text.startswith("/"):
        return None
    # Gas is told by its words, whatever the model makes of them, and interrupts a water leak too:
    # its advice is another one (no switches, no flames, leave).
    gas = smells_of_gas(text) and not _NO_GAS.search(text) and tracker.get_slot("subcategory") != "gas"
    if not gas and (intent.get("name") != "report_leak" or (intent.get("confidence") or 0) < LEAK_INTERRUPTS_ABOVE):
        return None
    if not gas and not says_something_escapes(text) and _NAMES_A_PLACE.search(text):
        return None  # "张店区共青团路": a place that tells of nothing escaping is the address
    if tracker.get_slot("category") == "report_leak" and not gas:
        return None
    subcategory = "gas" if gas else subcategory_of("report_leak", text)
    dispatcher.utter_message(text=say("gas_safety", language) if gas else safety_advice(text, language))
    earlier = tracker.get_slot("description")
    slots: dict[str, Any] = {"category": "report_leak", "subcategory": subcategory}
    category = tracker.get_slot("category")
    if category in _KEPT_BESIDE_A_LEAK and earlier and not tracker.get_slot("set_aside"):
        # A complaint keeps a ticket and an answer of its own (R5), out of the crew's work order
        # (it may be about that crew); a disputed bill goes to the billing officers (R15): it is
        # set aside, filed beside the leak.
        dispatcher.utter_message(text=say(f"{category}_kept_beside_leak", language))
        slots |= {
            "description": text,
            "set_aside": {"category": category, "subcategory": tracker.get_slot("subcategory"), "description": earlier},
        }
    else:
        # What was reported before stays in the description: nothing the resident said is lost.
        slots["description"] = f"{text} / {earlier}" if earlier and earlier != text else text
    if tracker.get_slot("outage_id"):  # an outage never takes a leak
        slots |= {"outage_id": None, "outage_choice": None}
    parts = address_from_parts(tracker.get_slot("address_parts") or {})
    if tracker.get_slot("address") and not parts.is_complete():
        # An anonymous complaint needed no flat (address_is_optional); the crew does.
        slots |= {"address": None}
    return slots | details_in(text, tracker, language)


# "不是漏水,是暖气不热", "it's not a leak": the resident takes the leak back (not "不是漏水那么简单").
_NOT_A_LEAK = re.compile(
    r"(?:不是|并不是|并没有?|没有?|沒有?)(?:在)?(?:漏水|漏|滴水|跑水|冒水)(?![水那這这而])"
    r"|(?:not|isn'?t|wasn'?t|no)\s+(?:a\s+|actually\s+)?(?:leak|leaking|dripping)",
    re.IGNORECASE,
)
# "不投诉了", "not a complaint": the resident takes back a complaint for what follows.
_NO_COMPLAINT = re.compile(
    r"不(?:想|要|用)?投诉了?|不是(?:要)?投诉|别(?:算|按)投诉|no complaint|not (?:a |to )?complain|"
    r"don'?t (?:want to |need to )?complain",
    re.IGNORECASE,
)
# "其实是想投诉", "actually I want to complain": the resident takes back a repair for a complaint.
_REALLY_A_COMPLAINT = re.compile(
    r"(?:其实|实际上|本来)我?(?:是|就是)?(?:想|要)投诉|不是(?:要|想)?报修|不(?:想|要|用)报修了|"
    r"actually (?:i (?:want|wanted|would like|'d like) to |it'?s a |this is a )complain|not (?:a |about a )?repair",
    re.IGNORECASE,
)
# A complaint in so many words ("我要投诉", "I want to complain"), whatever else the message says.
_COMPLAINS = re.compile(r"投诉|举报|complain", re.IGNORECASE)
# An answer given again, with a sigh ("刚才不说了么", "不是说过了吗", "I already told you").
_TOLD_ALREADY = re.compile(
    r"(?:刚才|之前|上面|前面)?不(?:是)?(?:都)?说(?:了|过)(?:么|吗|嘛)?|说过了|说了(?:好几|多少|几)遍|刚才说了|"
    r"\balready (?:told|said|gave)\b|\bi told you\b",
    re.IGNORECASE,
)
# A report made before, named as the subject of a question ("我刚才的举报怎么样了").
_ABOUT_AN_EARLIER_REPORT = re.compile(
    r"(?:刚才|刚刚|之前|上次|前几天|昨天|前天|早上|上午|下午|那个)(?:的|报的|提的|反映的|那个)?(?:举报|投诉|报修|反映|工单|单子)|"
    r"my (?:earlier |last |previous )?(?:report|complaint)",
    re.IGNORECASE,
)
# The reports that a leak told in their middle leaves to be filed beside it, on their own.
_KEPT_BESIDE_A_LEAK = {Category.COMPLAINT.value, Category.BILLING_QUERY.value}
# The reports beside which a complaint told in their middle is filed as a ticket of its own.
_SETS_ASIDE_A_COMPLAINT = {Category.REPORT_LEAK.value, Category.REPORT_REPAIR.value, Category.BILLING_QUERY.value}
# The reports that may come in the middle of another one (a leak has leak_interruption).
_OTHER_REPORTS = {Category.REPORT_REPAIR.value, Category.BILLING_QUERY.value, Category.COMPLAINT.value}


def report_told(tracker: Tracker, billing_file: Path) -> str | None:
    """The kind of report the latest message tells, where it is no answer to the question asked
    ("对了,上次维修工收了我200块红包" at "where?", "the kitchen is cold too" at the summary); None
    when it tells none. Whistle-blowing words make it a complaint whatever the model says; a
    billing question is a report only when it disputes a bill ("电费怎么交" is no report)."""
    text = squash(tracker.latest_message.get("text") or "")
    if not text or text.startswith("/"):
        return None
    if tells_of_bribery(text):
        return Category.COMPLAINT.value
    if tracker.get_slot("requested_slot") == "address" and _NO_MORE_PARTS.search(text):
        return None  # "我说了啊,一层就一户没门牌号": the place explained, crossly; no complaint
    if (
        tracker.get_slot("category") == Category.COMPLAINT.value
        and _NO_COMPLAINT.search(text)
        and _NO_HEAT.search(text)
    ):
        return Category.REPORT_REPAIR.value  # "no complaint, I just need my cold radiator fixed"
    if tracker.get_slot("category") == Category.REPORT_REPAIR.value and _REALLY_A_COMPLAINT.search(text):
        return Category.COMPLAINT.value  # "算了,其实是想投诉": whatever the model reads in the rest
    intent = tracker.latest_message.get("intent") or {}
    if intent.get("name") not in _OTHER_REPORTS or (intent.get("confidence") or 0) < REPORT_AGAIN_ABOVE:
        return None
    if intent["name"] == Category.BILLING_QUERY.value and not answer_billing(text, "zh", billing_file).is_dispute:
        return None
    if intent["name"] == Category.REPORT_REPAIR.value and sounds_solved(text):
        return None  # "刚刚暖气热了,不用来了": the fault is over, no fault to report (offer_to_drop)
    return str(intent["name"])


def takes_the_leak_back(text: str) -> bool:
    """ "不是漏水,是暖气不热": a leak denied, and no water escaping said anywhere else in it."""
    return bool(_NOT_A_LEAK.search(text)) and not says_something_escapes(_NOT_A_LEAK.sub(" ", text))


# "现在好了", "暖气又热了", "不用来了", "it's fixed now", "no need to come": the problem is over
# (not "还没好", "still not fixed").
# "暖气太热了…阀门关不小": the flat is too hot, which is no "热了" (warm again) and needs no bleeding.
_TOO_HOT = re.compile(r"太热|过热|热得(?:受不了|睡不着|难受)|关不小|调不小|\btoo (?:hot|warm)\b|overheat", re.I)
_SOLVED = re.compile(
    r"(?:已经|现在|又|都|自己)好了|(?<![没不太过])(?:修好|恢复了|又热了|热了|热起来了|不用来了|不用修了|不用派人|没事了|解决了)|"
    r"已经?解决|搞定了|弄好了|"
    r"\b(?:fixed|working again|sorted|solved|resolved|back on|warm again|all good)\b|no need (?:to|for)",
    re.IGNORECASE,
)
_NOT_SOLVED = re.compile(
    r"还没|没好|没修好|没有好|未解决|(?:not|n't)(?: yet| been)? (?:fixed|working|sorted|solved|resolved)|still",
    re.IGNORECASE,
)


def sounds_solved(text: str) -> bool:
    return bool(_SOLVED.search(text)) and not _NOT_SOLVED.search(text)


def offer_to_drop(dispatcher: CollectingDispatcher, key: str, language: str) -> None:
    """Say why the report may no longer be needed, with a button that drops it (the question that
    was pending comes again after it, for a resident who still wants the report)."""
    dispatcher.utter_message(text=say(key, language), buttons=[button(say("cancel", language), "cancel")])


def rejected(events: list[dict[str, Any]], slot: str) -> bool:
    """Whether a validation's events turn the answer to `slot` down (set it to None)."""
    return any(e.get("event") == "slot" and e.get("name") == slot and e.get("value") is None for e in events)


# What an answer to "where?", "your number?" or "when?" says of itself: numbers, the words of an
# address or a phone, and the commonest small words around them.
_ANSWER_WORDS = re.compile(
    r"\d+|号楼|单元|电话|手机|号码|座机|联系|我的|[号楼栋室层是打我的]|"
    r"\b(?:my|phone|mobile|number|call|me|is|it's|at|on|building|unit|room|flat|bldg)\b",
    re.IGNORECASE,
)
# How many words (Chinese characters count one each) beside the answer make it tell more.
MORE_THAN_AN_ANSWER = 8


def words_in(text: str) -> int:
    """How much a text says: its English words and Chinese characters."""
    return len(re.findall(r"[A-Za-z]+|[\u4e00-\u9fff]", text))


def says_more(text: str) -> bool:
    """Whether an accepted answer also says something else ("电话138…,维修工收了我200块红包"),
    not just the answer in words ("我的电话是一三八一二三四五六七八")."""
    rest = _ANSWER_WORDS.sub(" ", with_spoken_digits(text))
    return words_in(rest) >= MORE_THAN_AN_ANSWER


def beside_the_address(text: str, slots: dict[str, Any]) -> str:
    """What an answer to "where?" says besides the place it gives: its estate and the numbers of
    the flat taken out ("我家是阳光花园3号楼2单元501 漏的是楼下401他家" -> "漏的是楼下他家")."""
    estate = (slots.get("address_parts") or {}).get("estate") or ""
    rest = text.replace(estate, " ") if estate else text
    return re.sub(r"我家是|我家在|我家住|我住在|地址是|住在|小区|号楼|单元|[号楼栋室层户]", " ", rest)


def phone_in_passing(text: str, tracker: Tracker) -> str | None:
    """A valid number a message gives before it is asked for, unless the report is anonymous."""
    if tracker.get_slot("anonymous") or tracker.get_slot("phone"):
        return None
    found = find_phone(with_spoken_digits(text))
    return checked.e164 if found and (checked := check_phone(found)).ok else None


def _said_last_turn(tracker: Tracker, words: str) -> bool:
    """Whether the bot said `words` in answer to the message before the latest one."""
    users_seen = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users_seen += 1
            if users_seen == 2:
                return False
        elif users_seen == 1 and event.get("event") == "bot" and event.get("text") == words:
            return True
    return False


# "留个电话吧", "my number is": the number is the resident's own; "老张电话139…", "物业经理的电话":
# somebody else's, evidence for the description, never the reporter's contact.
_OWN_NUMBER = re.compile(
    r"(?:我的?|留个?|还是留|留下)(?:电话|手机|号码|联系方式)|打我(?:的)?(?:电话|手机)|\b(?:call me|my (?:number|phone|mobile)|reach me)\b",
    re.IGNORECASE,
)
_SOMEONE_ELSES = re.compile(
    r"(?:邻居|物业|经理|老[张王李赵刘陈杨黄周吴]|[他她]们?|师傅|维修工|收费员|抄表员|主任|书记|朋友|亲戚|儿子|女儿)的?(?:电话|手机|号码|微信)|"
    r"\b(?:neighbou?r|manager|his|her|their|friend)'?s? (?:number|phone|mobile)",
    re.IGNORECASE,
)


# Giving up anonymity in so many words: a number alone is not enough (R7: never by surprise).
_NOT_ANONYMOUS_ANY_MORE = re.compile(
    r"不(?:用|要)?匿名了?|不匿名|实名|可以(?:给我)?(?:打|联系)|\b(?:not anonymous|no longer anonymous|use my name)\b",
    re.IGNORECASE,
)


def gives_own_number(text: str) -> str | None:
    """The number of an anonymous resident who gives their name back by giving it, in so many
    words ("算了,还是留个电话吧,139…", "不匿名了,139…"); None for a number told as somebody
    else's, or with no such words (see number_held_back)."""
    found = find_phone(with_spoken_digits(text))
    if not found or not (checked := check_phone(found)).ok or _SOMEONE_ELSES.search(text):
        return None
    return checked.e164 if _OWN_NUMBER.search(text) or _NOT_ANONYMOUS_ANY_MORE.search(text) else None


def number_held_back(text: str) -> bool:
    """A number an anonymous resident typed that may be their own, without saying they give up
    anonymity ("13700001111" alone, "我是3单元的刘建国,电话137…"): not kept, and they are told how
    to leave it if they want to. A number said to be somebody else's is evidence instead."""
    found = find_phone(with_spoken_digits(text))
    return bool(found) and gives_own_number(text) is None and not _SOMEONE_ELSES.search(text)


def slot_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The slots a validation's events set, but the form's own `requested_slot`."""
    return {e["name"]: e.get("value") for e in events if e.get("event") == "slot" and e["name"] != "requested_slot"}


def answered(events: list[dict[str, Any]], slot: str) -> bool:
    """Whether a validation's events take the answer to `slot` (set it to a value)."""
    return any(e.get("event") == "slot" and e.get("name") == slot and e.get("value") is not None for e in events)


def take_report(tracker: Tracker, dispatcher: CollectingDispatcher, language: str, kind: str) -> dict[str, Any]:
    """The slots of a report told in the middle of another (`kind`: report_told's), said back.
    Nothing is dropped (R6): the message joins the description; a complaint in the middle of a
    repair or a billing report is set aside to be filed beside it; a leak stays a leak. A request
    not to be named in the same message is honoured (R7)."""
    text = squash(tracker.latest_message.get("text") or "")
    category = tracker.get_slot("category")
    earlier = tracker.get_slot("description") or ""
    # "别说是我举报的" beside the number: the resident is named to us, kept secret from the accused.
    anonymous_now = (
        asks_for_anonymity(text) and not tracker.get_slot("anonymous") and not find_phone(with_spoken_digits(text))
    )
    slots: dict[str, Any] = {}
    if (
        kind == Category.COMPLAINT.value
        and category == Category.REPORT_REPAIR.value
        and _REALLY_A_COMPLAINT.search(text)
    ):
        # "算了,其实是想投诉,维修工骂人": the resident changed their mind; one complaint (R5), no repair.
        dispatcher.utter_message(text=say("repair_became_complaint", language))
        slots = {
            "category": kind,
            "subcategory": subcategory_of(kind, f"{earlier} {text}"),
            "description": f"{earlier} / {text}" if earlier else text,
        }
    elif kind == Category.COMPLAINT.value and category in _SETS_ASIDE_A_COMPLAINT:
        # The fault still needs its crew (R1, R2) or its billing officer, and the complaint its own
        # answer (R5), away from the ticket the crew reads: it is filed beside it, on its own.
        dispatcher.utter_message(text=say("complaint_set_aside", language))
        subcategory = subcategory_of(kind, text)
        if subcategory == "whistleblowing" and not tracker.get_slot("anonymous") and not anonymous_now:
            dispatcher.utter_message(text=say("whistle_intro", language))  # they may stay anonymous (R7)
        told = (tracker.get_slot("set_aside") or {}).get("description")
        slots = {"set_aside": {"subcategory": subcategory, "description": f"{told} / {text}" if told else text}}
    elif kind == Category.REPORT_REPAIR.value and category == Category.COMPLAINT.value and _NO_COMPLAINT.search(text):
        # "算了不投诉了,就是想报修,暖气不热": the resident changed their mind; a repair (R2's crew).
        dispatcher.utter_message(text=say("complaint_became_repair", language))
        slots = {
            "category": kind,
            "subcategory": subcategory_of(kind, text),
            "description": f"{earlier} / {text}" if earlier else text,
        }
    elif kind == Category.REPORT_REPAIR.value and category == Category.REPORT_LEAK.value and takes_the_leak_back(text):
        # The leak was a misunderstanding; the description keeps both what was said and the take-back.
        dispatcher.utter_message(text=say("report_became_repair", language))
        slots = {"category": kind, "subcategory": subcategory_of(kind, text), "description": f"{earlier} / {text}"}
    else:
        dispatcher.utter_message(text=say("added_to_description", language))
        if text not in earlier:
            slots = {"description": f"{earlier} / {text}" if earlier else text}
        if category == Category.COMPLAINT.value and not tracker.get_slot("subcategory"):
            slots["subcategory"] = subcategory_of(category, text)
    if anonymous_now:
        dispatcher.utter_message(text=say("anonymous_ok", language))
        slots |= {"anonymous": True, "phone": None, "callback_time": None}
    return slots | details_in(text, tracker, language)


def details_in(text: str, tracker: Tracker, language: str) -> dict[str, Any]:
    """The whole address and the phone number a message gives in passing (a leak that interrupts
    a form: "阳光花园3号楼2单元301,而且暖气片接口在滴水"; a number typed at the address question).
    Only a whole address counts: the parser reads part of a sentence as an estate's name."""
    slots: dict[str, Any] = {}
    address = parse_address(text)
    if address.is_complete():
        slots |= {"address": address.format(language), "address_parts": {**asdict(address), "raw": text, "attempts": 0}}
    if (number := phone_in_passing(text, tracker)) is not None:
        slots["phone"] = number
    return slots


def intake_start_events(category: str, subcategory: str | None, text: str, tracker: Tracker,
                        call: ActionCall, anonymous: bool = False) -> list[dict[str, Any]]:  # fmt: skip
    """Slots for a new report, prefilled with what the first message already says; `anonymous`:
    the resident has just asked for it (the slot still holds the old value in this call)."""
    events = reset_intake()
    anonymous = anonymous or bool(tracker.get_slot("anonymous")) or asks_for_anonymity(text)
    events += [
        SlotSet("category", category),
        SlotSet("subcategory", subcategory),
        SlotSet("anonymous", anonymous),
    ]
    if text and not _GENERIC.match(text):
        events.append(SlotSet("description", squash(text)))
    before = told_just_before(tracker)  # "你好,我家是幸福家园3号楼1单元602,电话138…", then the problem
    no_place = parse_address(without_ticket_codes(text)).missing() == list(Address.__dataclass_fields__)
    placed = without_ticket_codes(before if before and no_place else text)
    address = (
        with_estate_named(no_report_words(parse_address(placed)), placed, call.settings.estates_file)
        if placed
        else Address()
    )
    known, raw = address.missing() != list(address.__dataclass_fields__), placed
    outage = outage_slots(category, subcategory, address, call)
    if not known and not anonymous and (earlier := earlier_address(tracker.sender_id, call)) is not None:
        # No address in the message: the chat's last report may place it in an outage (R10).
        if outage := outage_slots(category, subcategory, earlier, call):
            address, known, raw = earlier, True, None
    if known:
        parts = {**asdict(address), "raw": raw, "attempts": 0}
        events.append(SlotSet("address_parts", parts))
        if address.is_complete() or (address_is_optional(category, anonymous) and address.estate):
            events.append(SlotSet("address", address.format(language_of(tracker))))
    events += [SlotSet(name, value) for name, value in outage.items()]
    phone = find_phone(with_spoken_digits(text)) or (find_phone(with_spoken_digits(before)) if before else None)
    if phone and not anonymous and (checked := check_phone(phone)).ok:
        events.append(SlotSet("phone", checked.e164))
    return events


# Words of a report, not of a place: "我要匿名举报:5-1-502的住户" names no estate "我要匿名举报".
_REPORT_WORDS = re.compile(r"举报|投诉|反映|匿名|报修|维修|漏|暖气|我要|我想|请|你们|report|complain|anonymous", re.I)


def no_report_words(address: Address) -> Address:
    """The address without an estate that is really the report's own words."""
    if address.estate and _REPORT_WORDS.search(address.estate):
        return replace(address, estate=None)
    return address


# What the message before a report may have been when it only gave the place or the number: the
# bot could not tell what the problem was, or was greeted.
_NO_REPORT_YET = {"greet", "nlu_fallback", "out_of_scope", "help"}


def told_just_before(tracker: Tracker) -> str | None:
    """The resident's message just before this one, when it reported nothing yet ("你好,我家是
    幸福家园3号楼1单元602,电话13812345678" and then "暖气管子漏水了"): what it said is not asked again."""
    users = [event for event in tracker.events if event.get("event") in ("user", "session_started")]
    if len(users) < 2 or users[-2].get("event") != "user":
        return None
    previous = users[-2]
    intent = ((previous.get("parse_data") or {}).get("intent") or {}).get("name")
    text = squash(previous.get("text") or "")
    if intent not in _NO_REPORT_YET or not text or text.startswith("/"):
        return None
    # Only a place with its estate or a valid number: "5" was a rating, not room 5.
    number = find_phone(with_spoken_digits(text))
    return text if parse_address(text).estate or (number and check_phone(number).ok) else None


def intake_intro(category: str, subcategory: str | None, language: str, text: str = "") -> list[str]:
    """What the bot says first: first aid when a person is hurt, safety advice for leaks (R1),
    help for faults (R9), courtesy. `text`: the resident's message."""
    first = harm_advice(text, language)
    if category == "report_leak":
        if say("fire_advice", language) in first and subcategory != "gas" and not says_something_escapes(text):
            return first  # a burning smell, no water: "catch it in a basin" would contradict the fire advice
        advice = say("gas_safety", language) if subcategory == "gas" else safety_advice(text, language)
        # A tap or a toilet is the water company's or the estate's: said, and the report still taken.
        mains = [say("not_heating_water", language)] if mains_water_only(text) else []
        return [*first, advice, *mains]
    if category == "report_repair":
        # R11: below 18 °C the company must put it right; the resident is told the standard.
        standard = [say("room_standard", language)] if cold_room_reading(text) else []
        # A flat too hot is not told to open its valves and bleed its radiators.
        selfhelp = "repair_too_hot" if _TOO_HOT.search(text) else "repair_selfhelp"
        return [*first, *standard, say(selfhelp, language)]
    if category == "complaint":
        intro = [say("whistle_intro" if subcategory == "whistleblowing" else "complaint_intro", language)]
        # "报了漏水两天没人来,楼下都淹了" is a complaint about the wait, but the water still runs:
        # the safety advice comes first whatever the report is about (R1).
        if not says_something_escapes(text) or sounds_solved(text):
            return [*first, *intro]
        return [*first, say("gas_safety" if smells_of_gas(text) else "complaint_leak_safety", language), *intro]
    return [*first, say("billing_dispute_intro", language)]


# What a message asking for anonymity or a person may also report; the first match wins, so a
# leak (nlu/leak_words.py, the NLU's own list) outranks a complaint, and a complaint a repair.
_REPORTED = (
    (
        "complaint",
        re.compile(
            r"投诉|举报|态度|骂人|骂我|红包|回扣|受贿|刁难|收据|complain|rude|bribe|kickback|insult", re.IGNORECASE
        ),
    ),
    (
        "report_repair",
        re.compile(
            r"不热|不暖|冰凉|没暖气|没有暖气|坏了|维修|报修|异响|拧不动|关不上|打不开|不好使|失灵|能修|修一下|修修|"
            r"not warm|cold|broken|repair|stuck|won't (?:turn|open|close)",
            re.IGNORECASE,
        ),
    ),
)


def report_in(text: str) -> str | None:
    """The report a request for anonymity or for a person carries in the same message
    ("我要举报抄表员收红包,我要匿名"), or None when it only asks ("我要匿名举报": what is asked next)."""
    rest = ASKS_FOR_PERSON.sub("", _ANONYMOUS.sub("", text)).strip(" ,,。.!!、")
    if len(rest) < 4 or _GENERIC.match(rest):
        return None
    if says_something_escapes(rest):
        return "report_leak"
    return next((category for category, words in _REPORTED if words.search(rest)), None)


def honour_requests_in(text: str, dispatcher: CollectingDispatcher, language: str) -> None:
    """Say yes to what a report's message also asks: a person (the staffed line), anonymity."""
    if ASKS_IF_A_BOT.search(text):  # "你到底是不是真人?…": a program, said plainly, with the line
        dispatcher.utter_message(text=say("bot_disclosure", language))
    elif ASKS_FOR_PERSON.search(text):
        dispatcher.utter_message(text=say("human", language))
    if asks_for_anonymity(text):
        dispatcher.utter_message(text=say("anonymous_ok", language))
    elif keeps_it_from_the_neighbours(text):
        dispatcher.utter_message(text=say("neighbour_discretion", language))


def start_intake_with(category: str, text: str, tracker: Tracker, dispatcher: CollectingDispatcher,
                      language: str, call: ActionCall, anonymous: bool = False) -> list[dict[str, Any]]:  # fmt: skip
    """Start the report a message carried besides its request, as ActionStartIntake would
    (the form is started here: no rule follows a request for anonymity or a person)."""
    subcategory = subcategory_of(category, text)
    for line in intake_intro(category, subcategory, language, text):
        dispatcher.utter_message(text=line)
    events = intake_start_events(category, subcategory, text, tracker, call, anonymous=anonymous)
    return [*events, FollowupAction("ticket_form")]


def bill_beside_report(text: str, dispatcher: CollectingDispatcher, language: str,
                       call: ActionCall) -> list[dict[str, Any]]:  # fmt: skip
    """The billing part of a report's message: a disputed bill, or a question about money the
    billing file cannot answer ("and why did my heating bill go up 40% this year?"), is a ticket
    of its own for the billing officers (R15), set aside to be filed beside the report; a question
    the file answers is answered now. The events go after the report's own (which reset the slot)."""
    billing_file = call.settings.billing_file
    if not tells_of_bribery(text) and (money := money_matter_in(text, billing_file)) is not None:
        dispatcher.utter_message(text=say("billing_set_aside", language))
        return [SlotSet("set_aside", {"category": "billing_query", "subcategory": "dispute", "description": money})]
    if (question := billing_answer_in(text, language, billing_file)) is not None:
        # "暖气片漏水了!还有你们的缴费方式有哪些": the report is taken, the question answered.
        for line in question.texts or [say("billing_after_report", language)]:
            dispatcher.utter_message(text=line)
    return []


class ActionStartIntake(HotlineAction):
    """Start a leak, repair or complaint report from the resident's first message."""

    def name(self) -> str:
        return "action_start_intake"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        category = latest_intent(tracker) or "report_repair"
        text = report_text(tracker)
        if tracker.active_loop_name is None and answered_privacy_request(text, tracker, dispatcher, language, call):
            return [FollowupAction("action_listen")]  # "把我的电话和地址都删了": no new report
        if asks_for_anonymity(text) and made_filed_anonymous(text, tracker, dispatcher, language, call):
            return []  # "please make my last complaint anonymous": no new complaint
        if tracker.active_loop_name == "followup_form" and (answer := still_leaking(tracker, text, dispatcher,
                                                                                    language, call)):  # fmt: skip
            return answer  # "还在漏水" at "solved?": the follow-up's answer, no second leak
        # "暖气管爆了,水喷得到处都是,打了三次热线没人接,我要投诉": R1 first. The leak is taken (a
        # crew in 30 minutes), and the complaint's words go with it for the dispatcher to see.
        # Not "上个月我家漏水…现在已经修好了,但我要投诉这个态度": that leak is over, the complaint is not.
        complaint_too = category == "complaint" and says_something_escapes(text) and not sounds_solved(text)
        # "暖气不热,报修三天了都没人来", "radiator still cold": the flat is cold now. The repair is taken
        # (a call in 30 minutes, R2) and the complaint filed beside it (R5): never the cold flat
        # answered in five working days. A bribe keeps the whistle-blowing intake (its anonymity).
        cold_too = (
            category == "complaint"
            and not complaint_too
            and says_cold_now(text)
            and not sounds_solved(text)
            and not tells_of_bribery(text)
        )
        # A complaint naming one's own ticket is a complaint of its own (R5/R6), not news for it.
        outside_a_report = tracker.active_loop_name in (None, "followup_form")
        adds = category != "complaint" and outside_a_report
        if complaint_too:
            category = "report_leak"
        elif cold_too:
            category = "report_repair"
        subcategory = subcategory_of(category, text)
        # "HL-4F7K2P 水越来越大了" from the chat that filed it: news for that ticket, not a second one
        # (a complaint about it is a complaint of its own, R5/R6).
        own = own_open_ticket_named(text, tracker, call) if adds else None
        recent = recent_open_ticket(tracker, call) if outside_a_report and own is None else None
        if (
            asks_how_it_goes(text)
            and not says_something_escapes(text)
            and ((recent is not None and not _COMPLAINS.search(text)) or _ABOUT_AN_EARLIER_REPORT.search(text))
        ):
            # "我刚才报上了吗 怎么还没人打电话" right after filing: how it goes, not a new complaint;
            # "我刚才的举报怎么样了" from an anonymous reporter (no ticket tied to the chat, R7):
            # asked for the code, never for the flat of a second report.
            tell_status(text, tracker, dispatcher, language, call)
            return [FollowupAction("action_listen")]
        if (
            category != "report_leak"
            and not _COMPLAINS.search(text)
            and not says_something_escapes(text)
            and (
                for_a_filed_ticket(text, tracker, dispatcher, language, call)
                or (
                    recent is not None
                    and gives_another_number(text)
                    and phone_after_filing(text, tracker, dispatcher, language, call)
                )
            )
        ):
            # Not a new report: "地址说错了 是4号楼…" after filing puts that ticket right, "我爱人电话
            # 139… 也可以打" adds the number to it, and "有人,我在家,到了打我电话" after a dispatcher
            # wrote is the answer, for them. A leak is still a leak (R1), "我要投诉" a complaint.
            return [FollowupAction("action_listen")]
        if recent is not None and category == "report_leak" and brings_news(text) and not _COMPLAINS.search(text):
            # "水比刚才还大了" without the code, from the chat whose leak is open: news for that leak;
            # "补充一下:楼下也开始滴水了" too, said to add to it, though it leaks somewhere else now.
            adds_to_it = (
                _ADDS_TO_IT.match(text)
                and recent.category is Category.REPORT_LEAK
                and not names_another_place(text, recent)
            )
            own = recent if same_leak(recent, text) or adds_to_it else None
        # "ok closed the valve. but which valve? there are 2" after a dispatcher wrote about this
        # chat's open leak: the answer to them, on that leak (with its advice), not a second report.
        answers_staff = (
            recent is not None
            and own is None
            and category == "report_leak"
            and recent.category is Category.REPORT_LEAK
            and awaits_answer_to_staff(recent, utcnow())
            and not names_another_place(text, recent)
            and not _COMPLAINS.search(text)
        )
        if answers_staff:
            own = recent
        for line in intake_intro(category, subcategory, language, text):
            if own is None or category == "report_leak":  # the safety advice in any case (R1)
                dispatcher.utter_message(text=line)
        if own is not None:
            note_addition(own, text, dispatcher, language, call, key="answer_to_staff_noted" if answers_staff else
                          "addition_noted")  # fmt: skip
            return [FollowupAction("action_listen")]  # not the form the report's rule starts next
        if complaint_too and not tells_of_bribery(text):  # a bribe is set aside, below
            dispatcher.utter_message(text=say("complaint_with_leak", language))
        if cold_too:
            dispatcher.utter_message(text=say("complaint_with_repair", language))
        honour_requests_in(text, dispatcher, language)
        bill = bill_beside_report(text, dispatcher, language, call) if category != "complaint" else []
        # A leak written in the middle of a follow-up (data/rules.yml): the follow-up keeps what
        # was answered, and the leak is a report of its own.
        ended = end_followup_for_new_report(tracker, call) if tracker.active_loop_name == "followup_form" else []
        events = [*ended, *intake_start_events(category, subcategory, text, tracker, call), *bill]
        if cold_too:
            events.append(SlotSet("set_aside", {"subcategory": None, "description": text}))
        if category == "report_leak" and tells_of_bribery(text):
            # "…接头漏水 都漏到楼下去了 上回那个师傅跟我要了两百块钱 也没给票": the leak's crew now (R1),
            # and the bribe a whistle-blowing complaint of its own beside it (R5), never one lost in the other.
            dispatcher.utter_message(text=say("complaint_set_aside", language))
            events.append(SlotSet("set_aside", {"subcategory": "whistleblowing", "description": text}))
        return events


# The flat is cold now ("暖气冰凉", "屋里才14度", "radiator still cold"), not "上个月不热" alone.
_COLD = re.compile(
    r"不热|不暖|冰凉|冰冷|发凉|冷得|冻得|没暖气|没有暖气|暖气(?:还是|一直|又|也)?(?:凉|冷)|"
    r"(?<![\d.])\d{1,2}\s*(?:度|°)|\b(?:cold|freezing|no heat(?:ing)?|not (?:really )?(?:warm|hot))\b",
    re.IGNORECASE,
)
_BEFORE = re.compile(r"上个?月|上次|上回|去年|上周|上星期|之前|以前|\blast (?:month|week|year|time|winter)\b", re.I)
_STILL_NOW = re.compile(r"现在|还是|仍然|一直|至今|到现在|今天|\d+天|几天|三天|两天|\b(?:now|still|today|days)\b", re.I)


def says_cold_now(text: str) -> bool:
    return bool(_COLD.search(text)) and (not _BEFORE.search(text) or bool(_STILL_NOW.search(text)))


def names_another_place(text: str, ticket: Ticket) -> bool:
    """Whether the message names an estate or a building other than the ticket's."""
    place = parse_address(text)
    return (place.estate is not None and place.estate != ticket.estate) or (
        place.building is not None and place.building != ticket.building
    )


def _about_the_filed_one_only(text: str) -> bool:
    """ "我刚才那个投诉能不能改成匿名的": a request about a filed ticket that reports nothing new."""
    rest = _ANONYMOUS.sub(" ", _THE_FILED_ONE.sub(" ", text))
    return words_in(rest) < MORE_THAN_AN_ANSWER


def made_filed_anonymous(text: str, tracker: Tracker, dispatcher: CollectingDispatcher, language: str,
                         call: ActionCall) -> bool:  # fmt: skip
    """ "我刚才那个投诉能不能改成匿名的": the ticket the chat just filed is made anonymous (R7),
    rather than a new, empty report; True when it was."""
    if tracker.active_loop_name is not None or not _THE_FILED_ONE.search(text):
        return False
    if tells_of_bribery(text) or says_something_escapes(text):
        return False  # a new report ("刚才那个又漏了,别说是我报的"), not a request about the old one
    filed = recent_open_ticket(tracker, call)
    if filed is None and _about_the_filed_one_only(text):
        # Nothing this chat filed to make anonymous (another phone's, or long ago): said, and no
        # empty report opened in its place.
        dispatcher.utter_message(text=say("no_filed_ticket_to_anonymise", language))
        return True
    if filed is None or filed.anonymous:
        return False
    make_filed_anonymous(filed, utcnow())
    call.session.flush()  # the report's messages are those since the chat's last named ticket
    forget_sender(call.session, channel_of(tracker.sender_id), tracker.sender_id)
    dispatcher.utter_message(text=say("filed_made_anonymous", language, code=filed.code))
    return True


class ActionSetAnonymous(HotlineAction):
    """Honour a request for anonymity (R7): no phone, name or chat id will be kept."""

    def name(self) -> str:
        return "action_set_anonymous"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        text = report_text(tracker)
        if made_filed_anonymous(text, tracker, dispatcher, language, call):
            return [SlotSet("anonymous", False)]
        dispatcher.utter_message(text=say("anonymous_ok", language))
        if tracker.active_loop_name is None and (category := report_in(text)):
            # "我要举报…,我要匿名": the report starts now, anonymous; its words are not dropped.
            return start_intake_with(category, text, tracker, dispatcher, language, call, anonymous=True)
        if tracker.active_loop_name is None:
            dispatcher.utter_message(text=say("anonymous_ask_issue", language))
        events = [
            SlotSet("anonymous", True),
            SlotSet("phone", None),
            SlotSet("callback_time", None),
        ]
        # A complaint that just became anonymous: what it has of the address is enough now.
        if address_is_optional(tracker.get_slot("category"), True) and not tracker.get_slot("address"):
            enough = enough_of_address(tracker.get_slot("address_parts") or {}, language)
            if enough is not None:
                events.append(SlotSet("address", enough))
        return events


class ActionCancelIntake(HotlineAction):
    """Drop the report in progress; nothing is created."""

    def name(self) -> str:
        return "action_cancel_intake"

    def respond(self, dispatcher, tracker, language, call):  # type: ignore[no-untyped-def]
        text = report_text(tracker)
        named = own_open_ticket_named(text, tracker, call)
        if (kept := correction_dropped(tracker, dispatcher, language)) is not None:
            # "算了不改了" (or "Cancel") after "改电话": the change is dropped, not the report.
            return [*(SlotSet(name, value) for name, value in kept.items()), ActiveLoop(None),
                    SlotSet("requested_slot", None), FollowupAction("ticket_form")]  # fmt: skip
        if tracker.active_loop_name or tracker.get_slot("category"):
            cancel_report(tracker, dispatcher, language, call)
        elif named is None and (code := find_ticket_code(text)):
            # "HL-B7AW8X 取消吧" from another chat (or for a closed ticket): nothing is done, and said so.
            dispatcher.utter_message(text=say("cancel_not_yours", language, code=code))
        elif (filed := named or recent_open_ticket(tracker, call)) is not None:
            # "暖气又热了,不用来了,帮我取消吧" after the ticket exists: a dispatcher must hear it,
            # or the crew still comes.
            note_addition(filed, text, dispatcher, language, call, key="cancel_request_noted")
        else:
            dispatcher.utter_message(text=say("nothing_to_cancel", language))
        return [*reset_intake(), ActiveLoop(None), SlotSet("requested_slot", None)]


# The ticket form's questions, asked by its validation action (AskingFormValidation).


# "不改了", "还是原来的", "keep it as it was": a change started at the summary, taken back.
_NO_CHANGE = re.compile(
    r"^(?:算了|那)?[,，\s]*(?:不(?:用|要)?改了?|还是(?:用)?原来的|就(?:用)?原来的|保持原样|不变了?)[吧啊呀。.!！]*$|"
    r"^(?:no change|keep (?:it|the old one|it as it was)|leave it)\W*$",
    re.IGNORECASE,
)


def says_no_change(text: str) -> bool:
    return bool(_NO_CHANGE.match(text.strip()))


def correction_dropped(
    tracker: Tracker, dispatcher: CollectingDispatcher, language: str, answer: str | None = None
) -> dict[str, Any] | None:
    """The slots as they were before a change started at the summary ("改电话"), if one is
    under way (its field still empty, or holding only this turn's `answer`, which Rasa puts
    there before the validation sees it); said so. None when nothing is being changed."""
    before = tracker.get_slot("correcting")
    if not before or tracker.get_slot(before["field"]) not in (None, answer):
        return None
    dispatcher.utter_message(text=say("correction_dropped", language))
    return {before["field"]: before["value"], "address_parts": before["address_parts"], "correcting": None}


def cancel_report(tracker: Tracker, dispatcher: CollectingDispatcher, language: str, call: ActionCall) -> None:
    """Drop the report in progress; one already filed while the resident was away (a leak,
    bot/core/tickets/unfinished.py) is a ticket a crew may be on the way for: the dispatchers
    are told instead."""
    draft = draft_from_slots(tracker, language) if tracker.get_slot("category") else None
    filed = filed_ticket_of(call.session, tracker.sender_id, draft) if draft is not None else None
    # An anonymous leak filed while the resident was away cannot be reached from here (R7).
    away = filed_anonymously_while_away(call.session, tracker.sender_id)
    forget_unfinished(call.session, tracker.sender_id)
    if tracker.get_slot("anonymous"):
        # "算了,取消吧,我怕被报复": what was said under anonymity leaves the chat's history, as
        # for a filed report (R7); the relay then wipes the conversation, which is over anyway.
        forget_sender(call.session, channel_of(tracker.sender_id), tracker.sender_id)
    if away:
        dispatcher.utter_message(text=say("filed_anonymously_while_away", language))
    elif filed is None:
        dispatcher.utter_message(text=say("cancelled", language))
    else:
        note_addition(filed, report_text(tracker), dispatcher, language, call, key="cancel_request_noted")


def ask_address(dispatcher: CollectingDispatcher, tracker: Tracker, language: str, call: ActionCall) -> None:
    """Ask for the address, or only for the parts still missing."""
    parts = tracker.get_slot("address_parts") or {}
    known = address_from_parts(parts)
    if address_is_optional(tracker.get_slot("category"), bool(tracker.get_slot("anonymous"))):
        dispatcher.utter_message(text=say("ask_address_anonymous", language))
    elif known.missing() == list(Address.__dataclass_fields__):
        dispatcher.utter_message(text=say("ask_address", language))
    else:
        missing = [name_of(FIELD_NAMES, field, language) for field in known.missing()]
        dispatcher.utter_message(
            text=say(
                "ask_address_missing",
                language,
                known=known.format(language),
                missing=join_names(missing, language),
            )
        )


def ask_description(dispatcher: CollectingDispatcher, tracker: Tracker, language: str, call: ActionCall) -> None:
    dispatcher.utter_message(text=say("ask_description", language))


def ask_phone(dispatcher: CollectingDispatcher, tracker: Tracker, language: str, call: ActionCall) -> None:
    dispatcher.utter_message(text=say("ask_phone", language))
    dispatcher.utter_message(json_message={"request": "phone"})  # Telegram: a share-contact button


def ask_followup_optin(dispatcher: CollectingDispatcher, tracker: Tracker, language: str, call: ActionCall) -> None:
    dispatcher.utter_message(
        text=say("ask_followup_optin", language),
        buttons=[button(say("optin_yes", language), "affirm"), button(say("optin_no", language), "deny")],
    )


_NO = re.compile(r"不需要|不用|不要|算了|^no\b|^nope|no thanks|don't|\bdeny\b", re.IGNORECASE)
_YES = re.compile(r"需要|要|好|可以|行|yes|sure|ok|please|\baffirm\b", re.IGNORECASE)


# Words that say when, in an answer to "when may we call you back?" (a digit, a part of the day,
# a day, "any time"): such an answer is the time, whatever else it says.
_SAYS_WHEN = re.compile(
    r"\d|上午|中午|下午|傍晚|晚上|早上|早晨|白天|夜里|夜间|晚|点|时|随时|都行|都可以|随便|今天|明天|后天|周|星期|礼拜|以后|之前|马上|现在|尽快|越快越好|越早越好"
    r"|下班|放学|回家|饭后|吃完饭|午饭|晚饭|早饭|有空|空闲|方便的?时候|在家|天亮|早点|晚点|工作日|节假日|凌晨|半夜"
    r"|\b(?:any ?time|anytime|whenever|morning|noon|lunch|afternoon|evening|night|tonight|today|tomorrow|weekend|week|"
    r"weekdays?|day|[ap]m|o'?clock|now|asap|soon|as soon as possible|after|before|until|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|monday|tuesday|wednesday|thursday|friday|saturday|sunday|after work|when i'?m (?:home|back|free)|"
    r"free|home|lunchtime|dinner|breakfast|early|late)\b",
    re.IGNORECASE,
)


# A worried question about what is kept of an anonymous resident ("会不会泄露我的信息", "will
# they know it was me?").
_ASKS_ABOUT_PRIVACY = re.compile(
    r"泄露|泄密|保密|隐私|个人信息|知道是我|查到我|找到我|报复|"
    r"privacy|secret|my (?:data|details|information|identity)|revenge|"
    r"(?:know|find out|learn|tell)\b.{0,20}\b(?:it was|it's|it is) me\b|find out who",
    re.IGNORECASE,
)
# Letters or Chinese: an answer in words at all (not 👍 or "???").
_WORDS = re.compile(r"[A-Za-z\u4e00-\u9fff]")
# What starts telling more about the problem where a time is asked.
_MORE_TO_TELL = re.compile(
    r"另外|还有|而且|并且|对了|补充|也不热|也坏|也漏|家里有|老人|孩子|病人|also|another|and the|by the way|as well",
    re.IGNORECASE,
)


def yes_or_no(text: str, intent: str | None) -> str | None:
    """Read a yes/no answer from a button or free words (the negative first: 不需要 contains 需要)."""
    if intent == "deny" or _NO.search(text) or text == say("optin_no", "zh") or text == say("optin_no", "en"):
        return "no"
    if intent == "affirm" or _YES.search(text):
        return "yes"
    return None


def calls_at_once(tracker: Tracker) -> bool:
    """No call-back time to agree (R1): a resident told to leave a gas smell, or a leak where
    someone is hurt or the wiring is wet, is asked no more than the crew needs; it calls at once."""
    if tracker.get_slot("subcategory") == "gas":
        return True
    return tracker.get_slot("category") == "report_leak" and in_danger(tracker.get_slot("description") or "")


def ask_callback_time(dispatcher: CollectingDispatcher, tracker: Tracker, language: str, call: ActionCall) -> None:
    options = ("callback_anytime", "callback_morning", "callback_afternoon", "callback_evening")
    buttons = [{"title": say(key, language), "payload": say(key, language)} for key in options]
    dispatcher.utter_message(text=say("ask_callback_time", language), buttons=buttons)


def with_estate_named(address: Address, text: str, estates_file: Path) -> Address:
    """The address a message gives, with the listed estate it names in passing when the parser
    found none ("我是阳光花园的老住户…我住三号楼二单元六零二": the flat, and the estate too)."""
    if address.estate is not None or not text:
        return address
    estate = estate_named_in(text, alias_table(estates_file))
    return address if estate is None else replace(address, estate=estate)


def read_address_answer(text: str, parts: dict[str, Any], estates_file: Path) -> tuple[Address, bool]:
    """Merge an answer into the address so far; tell whether the answer added anything."""
    known = address_from_parts(parts)
    missing = known.missing()
    bare = _BARE_NUMBER.match(text)
    if bare and len(missing) == 1 and missing[0] != "estate":
        # "2" in answer to "which unit?" is the unit, not a room number.
        answer = Address(**{missing[0]: parse_address(bare.group(1)).room or bare.group(1)})
    else:
        answer = parse_address(text)
        if answer.estate is None and known.estate is None:
            answer = with_estate_named(answer, text, estates_file)
        elif known.estate and answer.estate and not looks_like_estate(answer.estate):
            answer = replace(answer, estate=None)  # "我说了啊,2门303": words before the unit, no estate
    added = any(getattr(answer, field) is not None for field in Address.__dataclass_fields__)
    return known.merged_with(answer), added


class ValidateTicketForm(AskingFormValidation):
    """Check each answer of the report, and ask the next question; anonymous reports skip the
    phone and callback time."""

    asks: ClassVar[dict[str, Ask]] = {
        "outage_choice": ask_outage_choice,
        "address": ask_address,
        "description": ask_description,
        "phone": ask_phone,
        "callback_time": ask_callback_time,
        "followup_optin": ask_followup_optin,
    }

    def name(self) -> str:
        return "validate_ticket_form"

    async def run_in_call(self, dispatcher, tracker, domain, call):  # type: ignore[no-untyped-def]
        events = await super().run_in_call(dispatcher, tracker, domain, call)
        keep_unfinished(tracker, call)  # tracker.slots now hold this turn's answers (ask_next)
        return events

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("anonymous"):
            slots = [slot for slot in domain_slots if slot not in ("phone", "callback_time")]
        else:
            slots = [slot for slot in domain_slots if slot != "followup_optin"]
        if calls_at_once(tracker):
            slots = [slot for slot in slots if slot != "callback_time"]
        return with_outage_question(slots, tracker)

    def validate_outage_choice(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return read_outage_choice(squash(str(value or "")), tracker, dispatcher, language_of(tracker))

    async def validate_answer(self, dispatcher, tracker, domain):  # type: ignore[no-untyped-def]
        language = language_of(tracker)
        if (leak := leak_interruption(tracker, dispatcher, language)) is not None:
            return await self._no_answer(leak, dispatcher, tracker, domain, language)
        typed = squash(tracker.latest_message.get("text") or "")
        if says_no_change(typed) and (kept := correction_dropped(tracker, dispatcher, language, typed)) is not None:
            return await self._no_answer(kept, dispatcher, tracker, domain, language)  # "不改了" after "改地址"
        asked = tracker.get_slot("requested_slot")
        # Nothing asked yet: the message that started the report ("…301的暖气费…收费不对") gave the
        # answers now in the slots, and its "不对" can correct none of them.
        if asked and not typed.startswith("/") and (corrected := earlier_answer_corrected(typed, tracker, dispatcher,
                                                                                           language)):  # fmt: skip
            return await self._no_answer(corrected, dispatcher, tracker, domain, language)
        billing_file = self.call.settings.billing_file
        if tracker.get_slot("anonymous") and _ASKS_ABOUT_PRIVACY.search(typed) and not tells_of_bribery(typed):
            # "你们会不会泄露我的信息?" from an anonymous resident: a question to answer (what is
            # kept), neither an answer nor evidence for the description; then the question again.
            dispatcher.utter_message(text=say("anonymous_ok", language))
            return await self._no_answer({}, dispatcher, tracker, domain, language)
        if asked == "callback_time" and not _SAYS_WHEN.search(with_spoken_digits(typed)):
            # Any words may be a time ("等我下班"), so a report there is caught before its validation,
            # and a problem over ("已解决") may be dropped with one press (never read as a complaint).
            if sounds_solved(typed):
                offer_to_drop(dispatcher, "solved_offer_cancel", language)
                return await self._no_answer({}, dispatcher, tracker, domain, language)
            if (kind := report_told(tracker, billing_file)) is not None:
                return await self._no_answer(take_report(tracker, dispatcher, language, kind), dispatcher, tracker,
                                             domain, language)  # fmt: skip
        said = len(dispatcher.messages)
        events = await super().validate_answer(dispatcher, tracker, domain)
        if asked in ("address", "description") and self._asks_anonymity(typed, tracker):
            # "能不能别留我电话,怕他报复" where the flat is asked: honoured now (R7), with the answer
            # the message also gave, if any; a complaint's address is then enough as it is.
            dispatcher.utter_message(text=say("anonymous_ok", language))
            slots = slot_values(events) | {"anonymous": True, "phone": None, "callback_time": None}
            if address_is_optional(tracker.get_slot("category"), True) and not slots.get("address"):
                parts = slots.get("address_parts") or tracker.get_slot("address_parts") or {}
                slots["address"] = enough_of_address(parts, language) or tracker.get_slot("address")
            return await self._no_answer(slots, dispatcher, tracker, domain, language)
        if asked not in (None, "description", "outage_choice") and rejected(events, asked):
            # "电话就不留了吧,怕他知道是我说的": honoured by the validation; nothing more to report.
            only_anonymity = slot_values(events).get("anonymous") and only_asks_anonymity(typed)
            if not only_anonymity and (kind := report_told(tracker, billing_file)) is not None:
                # Another report, no wrong answer: what the validation said of it goes unsaid.
                del dispatcher.messages[said:]
                taken = take_report(tracker, dispatcher, language, kind)
                return await self._no_answer(slot_values(events) | taken, dispatcher, tracker, domain, language)
            billing = answer_billing(typed, language, billing_file)
            if billing.topics and not billing.is_dispute:
                # "对了,采暖费多少钱一平米" where the number is asked: no wrong number; the question
                # is answered, and the form's question comes again.
                del dispatcher.messages[said:]
                for line in billing.texts:
                    dispatcher.utter_message(text=line)
                return await self._no_answer({}, dispatcher, tracker, domain, language)
            if appliance_trouble_only(typed):
                # "看错了,不是漏水,是空调滴水": not the heating's. Said, kept in the description (a
                # dispatcher may still see it), and the report can be dropped with one press.
                del dispatcher.messages[said:]
                offer_to_drop(dispatcher, "appliance_offer_cancel", language)
                earlier = tracker.get_slot("description") or ""
                kept = {"description": f"{earlier} / {typed}" if earlier else typed}
                return await self._no_answer(kept, dispatcher, tracker, domain, language)
            if sounds_solved(typed):
                # "it's fixed now, my husband opened the valve" where the phone is asked: no wrong
                # number, and no dead end: the report can be dropped with one press, or go on.
                del dispatcher.messages[said:]
                offer_to_drop(dispatcher, "solved_offer_cancel", language)
        elif asked not in (None, "description", "outage_choice") and answered(events, asked) and says_more(typed):
            kind = report_told(tracker, billing_file)
            if kind == "complaint" and _TOLD_ALREADY.search(typed) and not _COMPLAINS.search(typed):
                kind = None  # "刚才不说了么 铁路新村7号楼2单元101": impatience with the question, no complaint
            if kind is not None and kind != tracker.get_slot("category"):
                # The answer and another report in one message ("电话138…,维修工收了我200块红包"):
                # the answer is kept and the report taken too, never dropped (R5, R6).
                taken = take_report(tracker, dispatcher, language, kind)
                return await self._no_answer(taken | slot_values(events), dispatcher, tracker, domain, language)
            if asked == "address" and says_more(beside_the_address(typed, slot_values(events))):
                # "…3号楼2单元501 漏的是楼下401他家 他家没人": the crew needs those words too (R8).
                earlier = tracker.get_slot("description") or ""
                events.append(SlotSet("description", f"{earlier} / {typed}" if earlier else typed))
        # Only alongside a real answer: any other slot event would stop Rasa from rejecting the
        # form for a "取消" or "我要匿名" and letting the rules handle it.
        if any(e.get("name") not in (None, "requested_slot") for e in events):
            events += only_changes(tracker, [SlotSet("language", language_of(tracker))])
        return events

    async def _no_answer(self, slots: dict[str, Any], dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: DomainDict, language: str) -> list[dict[str, Any]]:  # fmt: skip
        """The events of a message that is no answer to the question asked, though Rasa offers it
        as one (a leak that interrupts, a correction of an earlier answer), with the `slots` it
        changes. The form asks its first empty question next: usually the same one; the address
        if a correction named no new one; the next one if the message also gave the pending
        answer (a leak report with the phone number in it). Rasa would pick the form's first."""
        if (asked := tracker.get_slot("requested_slot")) and asked not in slots:
            slots = {asked: None, **slots}
        tracker.slots.update(slots)
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        ask = next((slot for slot in required if tracker.get_slot(slot) is None), None)
        return [*(SlotSet(name, value) for name, value in slots.items()), SlotSet("requested_slot", ask),
                SlotSet("language", language)]  # fmt: skip

    def validate_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        slots = self._address_answer(squash(str(value or "")), dispatcher, tracker)
        if (number := phone_in_passing(squash(str(value or "")), tracker)) is not None:
            # "手机号码是我儿子的13698765432" where the flat is asked: kept, never asked for again.
            dispatcher.utter_message(text=say("phone_noted", language_of(tracker), value=number))
            slots["phone"] = number
        return slots

    def _address_answer(self, text: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any]:
        language = language_of(tracker)
        parts = dict(tracker.get_slot("address_parts") or {})
        address, added = read_address_answer(text, parts, self.call.settings.estates_file)
        raw = squash(f"{parts.get('raw') or ''} {text}") if parts.get("raw") != text else text
        attempts = int(parts.get("attempts", 0)) + 1
        new_parts = {**asdict(address), "raw": raw, "attempts": attempts}
        same = _SAME_AS_BEFORE.search(text) and not tracker.get_slot("anonymous")
        earlier = earlier_address(tracker.sender_id, self.call) if same else None
        if earlier is not None and earlier.is_complete():
            # "同上", "same address as before": the chat's last named report's address (never for
            # an anonymous report: that address is the resident's own, R7).
            formatted = earlier.format(language)
            return {"address": formatted, "address_parts": {**asdict(earlier), "raw": formatted, "attempts": attempts}}
        if find_ticket_code(text):
            # "HL-4F7K2P 怎么样了" at "where?": a question about a ticket, answered; no place.
            tell_status(text, tracker, dispatcher, language, self.call)
            return {"address": None, "address_parts": parts or None}
        if address_is_optional(tracker.get_slot("category"), bool(tracker.get_slot("anonymous"))):
            if attempts == 1 and a_name_alone(text):
                # "吴小红" where the estate is asked: who they are, which an anonymous report
                # never keeps (R7). Said, and the estate asked again; a second answer is taken.
                dispatcher.utter_message(text=say("anonymous_name_not_kept", language))
                return {"address": None, "address_parts": {**parts, "attempts": attempts}}
            return self._optional_address(text, new_parts, language)
        if address.building is None and address.unit is None and _STREET_OR_VILLAGE.search(text):
            # A street number, a village house, a shop: no estate, building and unit to ask for.
            return {"address": text, "address_parts": new_parts}
        if _NO_MORE_PARTS.search(text) and (
            parts.get("raw") or added or re.search(r"\d|[一二三四五六七八九十]楼", text)
        ):
            # "是独栋别墅,没有单元和房号", "一层就一户 没门牌号 就是五楼": nothing more to ask (and no
            # complaint, however cross it sounds); their words as given.
            return {"address": raw, "address_parts": new_parts}
        if not added and (
            names_no_place(text)
            or asks_for_anonymity(text)
            or self._report_again(tracker)
            or phone_in_passing(text, tracker)
        ):
            # "hello?", "what should I do?", "稍等我看看", the problem told again, a phone number
            # (kept for its own question): no address, and no try counted (the question again).
            # A question during a leak gets the safety advice again: it may be what they ask.
            if tracker.get_slot("category") == "report_leak" and _QUESTION_BACK.match(text):
                dispatcher.utter_message(text=safety_advice(tracker.get_slot("description") or text, language))
            elif not re.search(r"\w", text):  # "。。。", "!!": said why the question comes again
                dispatcher.utter_message(text=say("address_not_found", language))
            return {"address": None, "address_parts": parts or None, **details_in(text, tracker, language)}
        if not added and (other := self._something_else(tracker)):
            # "电费怎么交", "你是机器人吗", "what's the weather tomorrow": no place, so neither kept in the
            # address nor taken as given later; a billing question is promised an answer after.
            if other == "billing_query":
                dispatcher.utter_message(text=say("billing_after_report", language))
            elif other == "out_of_scope":  # "asdfgh": said why the question comes again
                dispatcher.utter_message(text=say("address_not_found", language))
            return {"address": None, "address_parts": {**parts, "attempts": attempts} if parts else None}
        if address.is_complete():
            outage = outage_slots(tracker.get_slot("category"), tracker.get_slot("subcategory"), address, self.call)
            return {"address": address.format(language), "address_parts": new_parts, **outage}
        if not added and attempts >= 2 and text:
            # The resident has nothing more to add (no unit, a villa, "二楼", a landmark): taken as
            # given, in their own words, which say more than the parts the parser knows.
            return {"address": raw, "address_parts": new_parts}
        if not added:
            # "asdf", "。。。": said why the question comes again, before it does.
            dispatcher.utter_message(text=say("address_not_found", language))
        return {"address": None, "address_parts": new_parts}

    @staticmethod
    def _asks_anonymity(text: str, tracker: Tracker) -> bool:
        """A request not to be named, from a resident not yet anonymous, without a number in it."""
        return (
            not tracker.get_slot("anonymous") and asks_for_anonymity(text) and not find_phone(with_spoken_digits(text))
        )

    @staticmethod
    def _something_else(tracker: Tracker) -> str | None:
        """The intent of an answer to "where?" that the model is sure is something else (a
        question, small talk, thanks); None when it may be a place."""
        intent = tracker.latest_message.get("intent") or {}
        if intent.get("name") in NOT_A_PLACE and (intent.get("confidence") or 0) >= NOT_A_PLACE_ABOVE:
            return str(intent["name"])
        return None

    @staticmethod
    def _report_again(tracker: Tracker) -> bool:
        """The answer tells the problem again ("我说了暖气不热!!!"): the model is sure it is a report."""
        intent = tracker.latest_message.get("intent") or {}
        return (
            intent.get("name") in {category.value for category in Category}
            and (intent.get("confidence") or 0) >= REPORT_AGAIN_ABOVE
        )

    @staticmethod
    def _optional_address(text: str, parts: dict[str, Any], language: str) -> dict[str, Any]:
        """Any answer fills an anonymous complaint's address: the parts it names, or the
        resident's own words for a place the parser does not know, or "not given"."""
        if (enough := enough_of_address(parts, language)) is not None:
            return {"address": enough, "address_parts": parts}
        if not text or _NOT_SAYING.match(text):
            return {"address": say("address_not_given", language), "address_parts": {**parts, "raw": None}}
        return {"address": text, "address_parts": parts}

    def validate_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = squash(str(value or ""))
        if len(text) < 2 or _GENERIC.match(text):
            dispatcher.utter_message(text=say("text_too_short", language_of(tracker)))
            return {"description": None}
        before = tracker.get_slot("correcting") or {}
        if before.get("field") == "description" and before.get("value") and _ADDS_TO_IT.match(text):
            # "改描述" then "补充一下 那天是12月1号下午…": added to what was told, never replacing it.
            return {"description": f"{before['value']} / {text}"}
        return {"description": text}

    def validate_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = with_spoken_digits(squash(str(value or "")))
        language = language_of(tracker)
        if _SAME_AS_BEFORE.search(text) and not find_phone(text):
            earlier = next((t.phone for t in tickets_of_sender(self.call.session, tracker.sender_id) if t.phone), None)
            if earlier:  # "电话也一样": the number of the chat's last named report
                return {"phone": earlier}
        if _NO_PHONE.search(text) and not find_phone(text):
            dispatcher.utter_message(text=say("no_mobile_options", language))
            return {"phone": None}
        if asks_for_anonymity(text) and not find_phone(text):
            # "别说是我报的" where the number is asked: the report goes on without one (R7).
            dispatcher.utter_message(text=say("anonymous_ok", language))
            return {"phone": None, "callback_time": None, "anonymous": True}
        checked = check_phone(find_phone(text) or text)
        if checked.ok:
            others = [number for number in valid_phones(text) if number != checked.e164]
            if not others:
                return {"phone": checked.e164}
            # A second number ("或者打我爱人的139…") is kept where the crew reads it, and said so.
            also = say("other_phone", language, phone=", ".join(others))
            dispatcher.utter_message(
                text=say("other_phone_noted", language, phone=checked.e164, other=", ".join(others))
            )
            return {"phone": checked.e164, "description": f"{tracker.get_slot('description') or ''} {also}".strip()}
        key = {"not_chinese": "phone_not_chinese"}.get(checked.reason or "", "phone_invalid")
        if checked.reason == "invalid" and re.fullmatch(r"\d{7,8}", re.sub(r"\D", "", text)):
            key = "phone_needs_area_code"
        dispatcher.utter_message(text=say(key, language, value=text[:40]))
        return {"phone": None}

    def validate_followup_optin(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = squash(str(value or ""))
        language = language_of(tracker)
        if number := gives_own_number(text):
            # "还是留个电话吧,139…": the resident gives their name back by giving the number; then
            # the call-back time is asked instead of the chat follow-up.
            dispatcher.utter_message(text=say("corrected_phone", language, value=number))
            return {"followup_optin": None, "anonymous": False, "phone": number}
        if number_held_back(text) and not says_more(text):
            # "13700001111" alone, "我是刘建国,电话137…": anonymity is not dropped by surprise (R7).
            dispatcher.utter_message(text=say("anonymous_number_not_kept", language))
            return {"followup_optin": None}
        if find_phone(with_spoken_digits(text)) and says_more(text):
            # "有问题可以问物业王经理139…": evidence, not the reporter's number; anonymity holds.
            dispatcher.utter_message(text=say("added_to_description", language))
            return {"followup_optin": None, "description": f"{tracker.get_slot('description') or ''} / {text}"}
        if sounds_solved(text):
            # "刚刚暖气热了,不用来了": not "no follow-up" but no report; it can be dropped with one press.
            offer_to_drop(dispatcher, "solved_offer_cancel", language)
            return {"followup_optin": None}
        answer = yes_or_no(text, latest_intent(tracker))
        if answer is not None:
            return {"followup_optin": answer}
        if len(text) >= 6 and _WORDS.search(text):
            # "上周三,姓王的师傅": what happened, told at a yes/no question (for a whistle-blower
            # the who and when are the evidence). It goes with the description; the question again.
            dispatcher.utter_message(text=say("added_to_description", language))
            return {"followup_optin": None, "description": f"{tracker.get_slot('description') or ''} {text}".strip()}
        dispatcher.utter_message(text=say("optin_unclear", language))
        return {"followup_optin": None}

    def validate_callback_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        text = squash(str(value or ""))
        language = language_of(tracker)
        digits = with_spoken_digits(text)  # "一三九一二三四五六七八" is a number, never a time
        if asks_for_anonymity(text) and not find_phone(digits):
            # "等一下,电话别记了" where the time is asked: the number given is dropped (R7), no time.
            dispatcher.utter_message(text=say("anonymous_ok", language))
            return {"callback_time": None, "phone": None, "anonymous": True}
        if _SAYS_WHEN.search(digits.replace(find_phone(digits) or "\0", "")):
            return {"callback_time": text[:100]}
        if _MORE_TO_TELL.search(text) and len(text) >= 12:
            # "另外卫生间的暖气片也不热,家里有老人": more about the problem, not a time. It goes
            # with the description, and the question comes again.
            dispatcher.utter_message(text=say("added_to_description", language))
            return {"callback_time": None, "description": f"{tracker.get_slot('description') or ''} {text}".strip()}
        if not _WORDS.search(text) or find_phone(digits) or yes_or_no(text, latest_intent(tracker)) is not None:
            # "好的", "yes", a typed "/affirm", 👍, the phone number again: no time; the question
            # again, with its buttons.
            dispatcher.utter_message(text=say("callback_time_unclear", language))
            return {"callback_time": None}
        if not _said_last_turn(tracker, say("callback_time_unclear", language)):
            # "香蕉": words with no time in them. The question once more, with examples; a
            # resident who answers in their own words again is taken at their word.
            dispatcher.utter_message(text=say("callback_time_unclear", language))
            return {"callback_time": None}
        return {"callback_time": text[:100]}
