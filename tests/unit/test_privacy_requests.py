"""A request not to be written to, or for one's data to be deleted, is told from a message that
brings another matter with it (actions/privacy_requests.py)."""

from __future__ import annotations

import pytest

from actions.privacy_requests import privacy_request_in


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("以后别再给我发消息了", "no_more_messages"),
        ("以後別再給我發消息了", "no_more_messages"),
        ("please stop messaging me", "no_more_messages"),
        ("不要回访了", "no_more_messages"),
        ("把我的电话和地址都删了 我不想你们存我的信息", "data_deletion"),
        ("please delete my data", "data_deletion"),
        # Another matter beside it: that matter's message, never lost to the request.
        ("你们别再给我发短信催费了,我交过了", None),
        ("别再联系我了,暖气还是不热", None),
        ("暖气不热", None),
    ],
)
def test_privacy_requests_are_told_apart(text: str, asked: str | None) -> None:
    assert privacy_request_in(text) == asked
