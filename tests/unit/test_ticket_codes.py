"""Ticket codes as residents type them, and ones they mistype."""

from __future__ import annotations

import pytest

from bot.core.text.address import Address, parse_address
from bot.core.text.ticket_codes import find_ticket_code, mistyped_ticket_code, without_ticket_codes


@pytest.mark.parametrize("text", ["HL-12345 查询", "hl4f7k2 status", "HL-4F7K2PX 怎么样了", "ＨＬ－１２３４５"])
def test_a_mistyped_code_is_told_apart(text: str) -> None:
    assert find_ticket_code(text) is None and mistyped_ticket_code(text)


@pytest.mark.parametrize("text", ["HL-4F7K2P 怎么样了", "hl4f7k2p", "HELLO", "我住HL小区", "暖气不热"])
def test_a_real_code_or_no_code_is_no_mistyped_one(text: str) -> None:
    assert mistyped_ticket_code(text) is None


@pytest.mark.parametrize(
    "typed", ["HL—4F7K2P", "HL——4F7K2P怎么样了", "单号是 HL 4F7K2P", "hl_4f7k2p status?", "HL–4F7K2P", "HL一4F7K2P"]
)
def test_a_code_typed_with_a_chinese_dash_an_underscore_or_a_space_is_found(typed: str) -> None:
    assert find_ticket_code(typed) == "HL-4F7K2P"


@pytest.mark.parametrize("code", ["HL-7K68QP", "HL-301ABC", "hl-3b2c01", "HL—12AB34"])
def test_a_code_in_a_message_names_no_part_of_an_address(code: str) -> None:
    text = without_ticket_codes(f"{code} 补充一下,楼下也渗水了")
    assert parse_address(text) == Address() and find_ticket_code(text) is None
