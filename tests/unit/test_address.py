"""Tests for bot.core.text.address: parsing free-text addresses and the Address helpers."""

import pytest

from bot.core.text.address import Address, parse_address

FULL_ZH = Address("阳光花园", "3", "2", "301")
FULL_EN = Address("Sunshine Garden", "3", "2", "301")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("阳光花园3号楼2单元301", FULL_ZH),
        ("阳光花园小区3号楼2单元301室", FULL_ZH),  # redundant 小区 after 花园 is dropped
        ("张店区阳光花园3栋2单元301", FULL_ZH),
        ("阳光花园3幢2单元301室", FULL_ZH),
        ("阳光花园3号2单元301", FULL_ZH),
        ("阳光花园 3-2-301", FULL_ZH),
        ("阳光花园3-2 301", FULL_ZH),  # building-unit, then the room
        ("阳光花园3号楼2-301", FULL_ZH),  # after the building: unit-room
        ("阳光花园3#2-301", FULL_ZH),  # 3# is building 3
        ("我家在阳光花园3号楼2单元301,暖气片漏水了", FULL_ZH),
        ("我家在阳光花园3号楼2单元301，暖气片漏水了", FULL_ZH),
        ("你好,我家住在阳光花园,3号楼2单元301", FULL_ZH),
        ("张店区华光路阳光花园3号楼2单元301", FULL_ZH),
        ("山东省淄博市张店区华光路88号阳光花园3号楼2单元301", FULL_ZH),
        ("地址：阳光花园３号楼２单元３０１室", FULL_ZH),
        ("您好,我家暖气不热,住址阳光花园3号楼2单元301", FULL_ZH),  # 住址, not 住 + an estate "址…"
        ("家庭住址是阳光花园3号楼2单元301", FULL_ZH),
        ("阳光花园三号楼二单元301", FULL_ZH),
        ("阳光花园 building 3 unit 2 301", FULL_ZH),
        ("Sunshine Garden bldg 3 unit 2 room 301", FULL_EN),
        ("阳光花园3号楼东单元301", Address("阳光花园", "3", "东", "301")),  # a unit named by its side
        ("Sunshine Garden Building 3, Unit 2, Room 301", FULL_EN),
        ("Sunshine Garden block 3 entrance 2 rm 301", FULL_EN),
        ("room 301 building 3 unit 2 Sunshine Garden", FULL_EN),
        ("I live at Sunshine Garden, building 3, unit 2, room 301", FULL_EN),
        ("address: Sunshine Garden #3 unit 2 apt 301", FULL_EN),
        ("my address is Sunshine Garden bldg. 3 unit 2 flat 301", FULL_EN),
        # Testers' findings: what is told before the place is no part of the estate's name.
        ("my mum is 82 lives alone at Sunshine Garden 3号楼2单元301, her flat is freezing", FULL_EN),
        ("radiator cold in Sunshine Garden building 3 unit 2 room 301", FULL_EN),
        (
            "hot steam out of a pipe in the stairwell of bldg 3 sunshine garden, kids walk past",
            Address("sunshine garden", "3"),
        ),
        # Testers' findings: short lead-ins and spoken fillers stayed in the estate's name.
        ("It's in 阳光花园 3号楼2单元301", FULL_ZH),
        ("in Sunshine Garden building 3 unit 2 room 301", FULL_EN),
        ("it's Sunshine Garden building 3 unit 2 room 301", FULL_EN),
        ("在 阳光花园3号楼2单元301", FULL_ZH),
        ("我是说阳光花园3号楼2单元301", FULL_ZH),
        ("好像是阳光花园3号楼2单元301", FULL_ZH),
        ("那个什么阳光花园3号楼2单元301", FULL_ZH),
    ],
)
def test_parse_full_address(text: str, expected: Address) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("3号楼2单元301", Address(building="3", unit="2", room="301")),
        ("阳光花园", Address(estate="阳光花园")),
        ("Sunshine Garden", Address(estate="Sunshine Garden")),
        ("my address is Sunshine Garden", Address(estate="Sunshine Garden")),
        ("我家住在阳光花园,暖气不热", Address(estate="阳光花园")),
        ("2单元", Address(unit="2")),
        ("301室", Address(room="301")),
        ("３号楼", Address(building="3")),
        ("三号楼二单元", Address(building="3", unit="2")),
        ("十二号楼", Address(building="12")),
        ("二十一号楼", Address(building="21")),
        ("阳光花园第三单元", Address(estate="阳光花园", unit="3")),
        ("阳光花园3号楼301", Address(estate="阳光花园", building="3", room="301")),
        ("flat 301 block 7 Sunshine Garden", Address("Sunshine Garden", "7", None, "301")),
    ],
)
def test_parse_partial_address(text: str, expected: Address) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize("text", ["暖气不热", "hello", "Hello", "", "电话138-1234-5678"])
def test_text_without_address_gives_empty_address(text: str) -> None:
    assert parse_address(text) == Address()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("阳光花园3-2", Address("阳光花园", "3", "2")),  # building-unit: the room is asked next
        ("阳光花园3-501", Address("阳光花园", "3", None, "501")),  # building-room: the unit is asked
    ],
)
def test_two_numbers_with_a_dash_are_the_building_and_what_their_length_says(text: str, expected: Address) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize(
    ("text", "estate"),
    [
        ("俺们这旮沓暖气贼拉凉 摸着跟冰溜子似的 整个楼都不热 物业说找你们 博山区沿河东路紫园小区8号楼", "紫园"),
        ("楼道里的暖气主管子漏水了 一楼大厅全是水 华光小区", "华光小区"),
        ("匿名举报 我们小区换热站的工人", None),  # pointed at, not named
        ("我们小区3号楼2单元301", None),
    ],
)
def test_voice_to_text_without_commas_names_only_the_estate(text: str, estate: str | None) -> None:
    """Testers' findings: the whole sentence before the estate was stored as its name."""
    assert parse_address(text).estate == estate


@pytest.mark.parametrize("text", ["室温18-20度", "报修2-3天了", "8-10点来", "等了1-2个小时"])
def test_ranges_of_degrees_days_or_hours_are_no_address(text: str) -> None:
    assert parse_address(text) == Address()


@pytest.mark.parametrize("text", ["301", "３０１", " 301 "])
def test_bare_number_is_read_as_room(text: str) -> None:
    assert parse_address(text) == Address(room="301")


@pytest.mark.parametrize(
    "text, estate",
    [
        ("城市花园3号楼", "城市花园"),  # 市 here is not a city prefix
        ("阳光小区3号楼", "阳光小区"),  # 区 of 小区 is not a district
        ("阳光花园东区3号楼", "阳光花园东区"),
        ("和平路小区5号楼", "和平路小区"),  # road name that is the whole estate name stays
    ],
)
def test_estate_names_resembling_prefixes_are_kept(text: str, estate: str) -> None:
    assert parse_address(text).estate == estate


@pytest.mark.parametrize(
    "text",
    ["暖气坏了,3号楼2单元301", "3号楼2单元301暖气片漏水了", "building 3 unit 2 room 301 heating broken"],
)
def test_fault_description_is_not_taken_as_estate(text: str) -> None:
    assert parse_address(text) == Address(building="3", unit="2", room="301")


def test_floor_after_unit_is_not_a_room() -> None:
    assert parse_address("3号楼2单元,5楼漏水") == Address(building="3", unit="2")


def test_missing_and_is_complete() -> None:
    assert Address().missing() == ["estate", "building", "unit", "room"]
    assert Address(building="3", room="301").missing() == ["estate", "unit"]
    assert not Address(building="3", room="301").is_complete()
    assert FULL_ZH.missing() == []
    assert FULL_ZH.is_complete()


def test_merged_with_prefers_known_parts_of_other() -> None:
    first = Address(estate="阳光花园", building="3", unit="1")
    merged = first.merged_with(Address(unit="2", room="301"))
    assert merged == FULL_ZH
    assert first == Address(estate="阳光花园", building="3", unit="1")  # original untouched
    assert FULL_ZH.merged_with(Address()) == FULL_ZH


def test_conversation_fills_address_step_by_step() -> None:
    address = parse_address("我家在阳光花园,暖气不热")
    address = address.merged_with(parse_address("3号楼2单元"))
    assert address.missing() == ["room"]
    address = address.merged_with(parse_address("301"))
    assert address == FULL_ZH


@pytest.mark.parametrize(
    "address, zh, en",
    [
        (FULL_ZH, "阳光花园3号楼2单元301室", "阳光花园, Building 3, Unit 2, Room 301"),
        (FULL_EN, "Sunshine Garden 3号楼2单元301室", "Sunshine Garden, Building 3, Unit 2, Room 301"),
        (Address(building="3", room="301"), "3号楼301室", "Building 3, Room 301"),
        (Address(estate="阳光花园"), "阳光花园", "阳光花园"),
        (Address(), "", ""),
    ],
)
def test_format(address: Address, zh: str, en: str) -> None:
    assert address.format("zh") == zh
    assert address.format("zh-CN") == zh
    assert address.format("en") == en


@pytest.mark.parametrize(
    "text, expected",
    [
        ("陽光花園3號樓2單元301室", Address("阳光花园", "3", "2", "301")),
        ("陽光花園小區十二號樓三單元302", Address("阳光花园", "12", "3", "302")),
        ("我家住在張店區華光路幸福家園5棟1單元502", Address("幸福家园", "5", "1", "502")),
    ],
)
def test_traditional_characters_are_read_and_the_estate_named_in_simplified(text: str, expected: Address) -> None:
    assert parse_address(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Voice-to-text: filler first, the room read out digit by digit.
        ("那个幸福家园七号楼三单元六零二", Address("幸福家园", "7", "3", "602")),
        ("我是阳光花园三号楼二单元三零一的住户", Address("阳光花园", "3", "2", "301")),
        # Who is speaking is no estate.
        ("我是3号楼301的王秀英", Address(None, "3", None, "301")),
        ("This is John Smith from room 301.", Address(None, None, None, "301")),
        ("I'm from Sunshine Garden building 3 unit 2 room 301", Address("Sunshine Garden", "3", "2", "301")),
        ("Fromage Garden building 2 unit 1 room 101", Address("Fromage Garden", "2", "1", "101")),
    ],
)
def test_spoken_addresses_and_self_introductions(text: str, expected: Address) -> None:
    assert parse_address(text) == expected


def test_a_room_read_out_alone_is_the_room() -> None:
    assert parse_address("六零二") == Address(room="602")


@pytest.mark.parametrize(
    ("typed", "estate"),
    [
        ("我叫张伟,住幸福家园5号楼2单元603", "幸福家园"),  # "住" before the name is no part of it
        ("住金城小区10号楼", "金城小区"),
        ('=HYPERLINK("http://x","点我")阳光花园9号楼1单元101', "阳光花园"),  # a formula before it
        ('"阳光花园"3号楼2单元301', "阳光花园"),
        ("阳光花园住宅区3号楼", "阳光花园住宅区"),  # 住宅 is part of a name
    ],
)
def test_words_and_marks_before_an_estate_are_not_its_name(typed: str, estate: str) -> None:
    assert parse_address(typed).estate == estate


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # a tester's correction gave building 501 and the estate "是"
        ("是5号楼501,不是3号楼", Address(building="5", room="501")),
        ("不是3号楼，是5号楼", Address(building="5")),
        ("我说错了 是5号楼不是3号楼", Address(building="5")),
        ("阳光花园不是3号楼是5号楼501", Address(estate="阳光花园", building="5", room="501")),
        ("building 5, not building 3", Address(building="5")),
    ],
)
def test_a_part_said_not_to_be_it_is_left_out(text: str, expected: Address) -> None:
    assert parse_address(text) == expected
