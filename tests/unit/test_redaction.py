"""What an anonymous report keeps of who wrote it (R7): no chat account, no self-introduced name,
and for a complaint no flat (bot/core/text/redaction.py)."""

from __future__ import annotations

import pytest

from bot.core.text.redaction import anonymous_words, redact_flat, redact_identifiers


@pytest.mark.parametrize(
    ("typed", "secrets"),
    [
        ("我是3号楼301的王秀英,举报抄表员老李收红包", ["王秀英"]),
        ("我是王秀英,收费员乱收费", ["王秀英"]),
        ("This is John Smith from room 301. The meter reader took a bribe.", ["John", "Smith"]),
        ("I am Li Ming, the staff were rude", ["Li Ming"]),
        ("我微信号是wxid_abc123,有事联系", ["wxid_abc123", "abc123"]),
        ("我的微信 zhang_san88,QQ号 12345678", ["zhang_san88", "12345678"]),
        ("WeChat: lily_2024", ["lily_2024"]),
        ("My WeChat is zhang_wei88, add me", ["zhang_wei88"]),
        # Testers' findings: the reporter named as such, and a name owned up to.
        ("举报人张三,手机139 1234 5678,抄表员收红包", ["张三"]),
        ("投诉人:李秀英,收费员态度差", ["李秀英"]),
        ("嗯嗯 那个 王建国 就是我 5-1-202", ["王建国"]),
        ("我就是王建国,抄表员收了红包", ["王建国"]),
    ],
)
def test_names_and_chat_accounts_are_redacted(typed: str, secrets: list[str]) -> None:
    clean = redact_identifiers(typed)
    assert not [secret for secret in secrets if secret in clean], clean


@pytest.mark.parametrize(
    "typed",
    [
        "我是业主,暖气不热",
        "我是3号楼的住户",
        "我是你们公司的维修工",
        "我是你们单位的抄表员,班长让我们收钱",
        "我是想问一下",
        "举报抄表员老李收红包",
        "举报人是我邻居",
        "这就是我家",
    ],
)
def test_who_one_is_is_no_name(typed: str) -> None:
    assert redact_identifiers(typed) == typed


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("我是3号楼301的住户", "3号楼"),
        ("阳光花园3号楼2单元301室", "阳光花园3号楼"),
        ("住在502室,收费员态度差", "收费员态度差"),
        ("I live in room 301, Building 3", "Building 3"),
        ("我是502的住户,收费员态度差", "收费员态度差"),
        ("收费员在6号楼2单元收钱不开票", "6号楼"),
        ("Sunshine Garden building 3 unit 2 room 301", "building 3"),
    ],
)
def test_an_anonymous_complaint_keeps_no_flat_nor_its_unit(typed: str, kept: str) -> None:
    clean = redact_flat(typed)
    assert kept in clean and not any(room in clean for room in ("301", "502", "2单元", "unit 2")), clean


def test_a_name_after_who_one_is_and_a_number_read_out_are_identifiers() -> None:
    typed = "我是602的住户吴小红,手机一三九一二三四五六七八"
    clean = redact_identifiers(typed)
    assert "吴小红" not in clean and "一三九" not in clean and "住户" in clean, clean
    assert redact_identifiers("住户们都说。") == "住户们都说。"


@pytest.mark.parametrize(
    ("typed", "flat"),
    [("我叫小红,吴女士,住602", "602"), ("我是老吴,602的", "602"), ("维修工骂人,我住1203", "1203")],
)
def test_a_flat_told_as_where_one_lives_leaves_an_anonymous_complaint(typed: str, flat: str) -> None:
    assert flat not in anonymous_words(typed, "zh", complaint=True)


@pytest.mark.parametrize("typed", ["他收了我300块的好处", "去年交了2000的暖气费", "阳光花园3号楼收费员收了200块"])
def test_sums_of_money_stay_in_an_anonymous_complaint(typed: str) -> None:
    assert anonymous_words(typed, "zh", complaint=True) == typed


@pytest.mark.parametrize(
    ("typed", "secrets"),
    [  # testers' findings: each of these kept the whistle-blower findable
        ("我住陽光花園3號樓2單元501 我叫林美華", ["2單元", "501", "林美華"]),
        ("俺是紫园小区三号楼二单元五零一的 俺闺女叫赵小燕在你们公司上班", ["二单元", "五零一", "赵小燕"]),
        ("收费员收红包 我家是阳光花园3栋2门501", ["2门", "501"]),
        ("我家住阳光花园3号楼五楼东户 我老伴叫张桂芝", ["五楼东户", "张桂芝"]),
        ("那天我媳妇李秀兰也在场", ["李秀兰"]),
        ("我要匿名举报:本人李四,俺是老赵的邻居,车牌鲁C12345", ["李四", "鲁C12345"]),
        ("我是阳光花园3-2-501的业主,在我家502门口收的钱", ["-2-", "501", "502"]),
        # a surname alone names a family in a small building
        ("免贵姓赵,住3号楼,收费员收了红包", ["赵"]),
        ("姓钱 收费员收了我红包", ["钱"]),
        ("我要匿名举报 俺姓孙 维修工收红包", ["孙"]),
        ("我姓吴,叫小红,收费员收了红包", ["吴", "小红"]),
    ],
)
def test_an_anonymous_complaint_keeps_no_flat_relative_or_plate_in_any_form(typed: str, secrets: list[str]) -> None:
    kept = anonymous_words(typed, "zh", complaint=True)
    assert not [secret for secret in secrets if secret in kept], kept


@pytest.mark.parametrize(
    "typed",
    [
        "老百姓也要过冬",
        "姓名不方便说",
        "上周三来的,姓王的师傅收了红包",
        "我姓王的邻居说的",
        "我儿子是学生",
        "我老公在交警队上班",
        "这个门坏了",
        "本人认为这样不对,",
    ],
)
def test_words_about_family_or_doors_without_a_name_or_flat_stay(typed: str) -> None:
    assert anonymous_words(typed, "zh", complaint=True) == typed


@pytest.mark.parametrize(
    ("typed", "secrets"),
    [  # an attacker's findings: each of these kept a whistle-blower's number or name
        ("备用139.5555.6666,有事打我", ["5555", "6666"]),
        ("还有139\u200b5555\u200b6666", ["5555", "6666"]),
        ("座机(0533)2345678,白天有人", ["2345678"]),
        ("座机 0533 2345678", ["2345678"]),
        ("手机 139 5555 6666 或 0533.234.5678", ["5555", "6666", "234.5678"]),
        ("call one three nine five five five five six six six six", ["five five five five six"]),
        ("my number is one three nine, five five five five, six six six six", ["five five five five"]),
        ("我是楼长王建国,抄表员收红包", ["王建国"]),
        ("我是单元长李秀英 收费员乱收费", ["李秀英"]),
    ],
)
def test_numbers_in_any_spacing_and_a_name_after_a_role_are_redacted(typed: str, secrets: list[str]) -> None:
    clean = redact_identifiers(typed)
    assert not [secret for secret in secrets if secret in clean], clean


@pytest.mark.parametrize(
    "typed",
    ["2026-12-03 收费员来过", "2026.12.03那天", "交了2345.50元", "我是楼长,暖气不热", "one or two rooms are cold"],
)
def test_dates_sums_and_roles_alone_stay(typed: str) -> None:
    assert redact_identifiers(typed) == typed
