"""Tests for bot.core.text.phone; every "valid" number here is one phonenumbers itself accepts."""

import pytest

from bot.core.text.phone import PhoneCheck, check_phone, find_phone, valid_phones, with_spoken_digits

MOBILE = PhoneCheck(ok=True, e164="+8613812345678", kind="mobile", reason=None)
ZIBO = PhoneCheck(ok=True, e164="+865331234567", kind="landline", reason=None)
BEIJING = PhoneCheck(ok=True, e164="+861012345678", kind="landline", reason=None)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("13812345678", MOBILE),
        ("138-1234-5678", MOBILE),
        ("138 1234 5678", MOBILE),
        ("+86 138 1234 5678", MOBILE),
        ("+86-138-1234-5678", MOBILE),
        ("86 13812345678", MOBILE),
        ("008613812345678", MOBILE),
        ("１３８１２３４５６７８", MOBILE),
        ("我的电话是138 1234 5678,下午打", MOBILE),
        ("0533-1234567", ZIBO),
        ("05331234567", ZIBO),
        ("(0533)1234567", ZIBO),
        ("（0533）1234567", ZIBO),
        ("０５３３－１２３４５６７", ZIBO),
        ("+86 533 1234567", ZIBO),
        ("010-12345678", BEIJING),
        ("010 12345678", BEIJING),
    ],
)
def test_valid_chinese_numbers(text: str, expected: PhoneCheck) -> None:
    assert check_phone(text) == expected


def test_other_valid_mobile_and_landline() -> None:
    assert check_phone("19912345678").e164 == "+8619912345678"
    assert check_phone("021-62345678") == PhoneCheck(True, "+862162345678", "landline", None)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "not_a_number"),
        ("12345", "invalid"),
        ("11111111111", "invalid"),
        ("1234567", "invalid"),  # local landline, area code missing
        ("2345678", "invalid"),
        ("12345678", "invalid"),
        ("我的电话是2345678,谢谢", "invalid"),
        ("4008123123", "invalid"),  # service line, cannot reach the resident
        ("+1 650 253 0000", "not_chinese"),
        ("+44 20 7946 0958", "not_chinese"),
    ],
)
def test_rejected_numbers(text: str, reason: str) -> None:
    assert check_phone(text) == PhoneCheck(ok=False, e164=None, kind=None, reason=reason)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我的电话是138 1234 5678,下午打", "138 1234 5678"),
        ("电话13812345678 2单元", "13812345678"),
        ("tel:0533-1234567谢谢", "0533-1234567"),
        ("号码(0533)1234567", "(0533)1234567"),
        ("３号楼电话１３８１２３４５６７８", "１３８１２３４５６７８"),
        ("call me on +1 650 253 0000 please", "+1 650 253 0000"),
        ("我的电话是2345678,谢谢", "2345678"),  # invalid, but still found so we can explain why
    ],
)
def test_find_phone(text: str, expected: str) -> None:
    assert find_phone(text) == expected


@pytest.mark.parametrize("text", ["", "暖气不热", "阳光花园3号楼2单元301", "阳光花园 3-2-301", "12345"])
def test_find_phone_ignores_non_phone_text(text: str) -> None:
    assert find_phone(text) is None


@pytest.mark.parametrize(
    "typed",
    [
        "一三九一二三四五六七八", "我电话是幺三九幺二三四五六七八", "139一二三四五六七八",
        "一三八 零五三三 一二七六", "零五三三 二八一五六六七", "電話是零五三三-二八一五六六七",
    ],
)  # fmt: skip
def test_a_number_read_out_in_chinese_digits(typed: str) -> None:
    spoken = with_spoken_digits(typed)
    assert check_phone(find_phone(spoken) or spoken).ok, spoken


@pytest.mark.parametrize("typed", ["三四五", "幸福小区三号楼二单元", "一二三 四五"])
def test_short_runs_of_chinese_digits_stay_words(typed: str) -> None:
    assert with_spoken_digits(typed) == typed


@pytest.mark.parametrize("text", ["户号是1020334455", "我的用户编号:1020334455", "account number 1020334455"])
def test_an_account_number_is_no_phone(text: str) -> None:
    """Tester's finding: "户号是1020334455" became the call-back number (+861020334455)."""
    assert find_phone(text) is None and valid_phones(text) == []


def test_a_phone_beside_an_account_number_is_found() -> None:
    assert find_phone("多交了 户号是1020334455 电话13805331234") == "13805331234"


@pytest.mark.parametrize(
    ("text", "meant"),
    [  # a tester's "别打她的 打我的" got the wife's number
        ("我老婆电话13811112222,别打她的,打我的13933334444", "13933334444"),
        ("13811112222 别打她的 打我的13933334444", "13933334444"),
        ("13811112222不对,是13911112222", "13911112222"),
        ("电话13811112222写错了 应该是13811112223", "13811112223"),
        ("不是13811112222,是13911112222", "13911112222"),
        ("13812345678,别打我爱人的13987654321", "13812345678"),
        ("13800001111 that one is wrong, call 13900002222", "13900002222"),
        ("13812345678 别打电话 发短信就行", "13812345678"),  # the only number stays
    ],
)
def test_a_number_taken_back_in_the_same_message_is_not_the_phone(text: str, meant: str) -> None:
    assert find_phone(text) == meant
    assert valid_phones(text) == [f"+86{meant}"]


def test_two_numbers_both_meant_are_both_kept() -> None:
    assert valid_phones("13812345678,或者打我爱人的13987654321") == ["+8613812345678", "+8613987654321"]
