"""How residents ask after what they reported, in words the model may not know: answered with
the chat's tickets even when the model calls the message out of scope (actions/dialogue.py)."""

from __future__ import annotations

import pytest

from actions.status import asks_how_it_goes


@pytest.mark.parametrize(
    "text",
    ["我刚才报的怎么样了", "还有多久能来人", "师傅大概几点能到", "报修的单子有人管吗", "派人了没有", "维修工什么时候上门",
     "how long until someone comes", "any news on what I reported?", "when will the technician arrive",
     "is someone on the way", "我的工单有update吗", "你们人到哪了", "师傅怎么还没到"],
)  # fmt: skip
def test_a_question_after_a_report_is_recognised(text: str) -> None:
    assert asks_how_it_goes(text)


@pytest.mark.parametrize(
    "text",
    ["暖气什么时候来", "供暖季什么时候开始", "how long is the heating season", "what are your opening hours",
     "今天天气怎么样", "你们营业厅几点上班", "营业厅在哪"],
)  # fmt: skip
def test_other_questions_are_not_taken_for_one(text: str) -> None:
    assert not asks_how_it_goes(text)
