"""Outages (R10): declaring, refusing bad declarations, matching addresses, announcing once,
linking reports, restoring, and spotting an undeclared outage. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.core.models import Category, ChatMessage, FollowupState, Outage, Ticket, TicketStatus
from bot.core.outages.announcer import announce_due
from bot.core.outages.desk import change_end, declare_outage, restore_outage
from bot.core.outages.detection import open_suspicions, raise_suspicions
from bot.core.outages.estates import alias_table, listed_estate
from bot.core.outages.register import OutageRefused, OutageRequest, as_dict, outage_at, parse_time
from bot.core.text.address import Address
from bot.core.tickets.intake import TicketDraft, create_ticket
from tests.unit.test_cli import hotline

NOW = datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in Zibo


def fault(*estates: str, hours: float = 6, buildings: list[str] | None = None, **fields) -> OutageRequest:  # type: ignore[no-untyped-def]
    return OutageRequest(
        estates=list(estates), buildings=buildings, start_at=NOW - timedelta(minutes=30),
        end_at=NOW + timedelta(hours=hours), reason="主管线爆裂", **fields,
    )  # fmt: skip


def report(session: Session, estate: str, *, channel: str = "telegram", sender: str | None = None,
           building: str = "3", no_heat: bool = True, anonymous: bool = False, at: datetime = NOW,
           language: str = "zh") -> Ticket:  # fmt: skip
    draft = TicketDraft(
        category=Category.REPORT_REPAIR,
        subcategory="no_heat" if no_heat else None,
        description="暖气不热" if no_heat else "阀门坏了",
        channel=channel,
        language=language,
        address=Address(estate, building, "2", "301"),
        phone=None if anonymous else "+8613812345678",
        anonymous=anonymous,
        sender_ref=sender,
    )
    return create_ticket(session, draft, get_settings(), now=at)


def outbox_of(session: Session, sender: str) -> list[str]:
    return list(
        session.scalars(select(ChatMessage.text).where(ChatMessage.sender == sender, ChatMessage.direction == "out"))
    )


def test_a_fault_is_declared_with_notices_in_both_languages(db_session: Session) -> None:
    outage = declare_outage(db_session, fault("阳光花园小区"), "dispatcher1", NOW, get_settings()).outage
    assert outage.estates == ["阳光花园"]  # the alias became the canonical name
    assert "主管线爆裂" in outage.notice_zh and "阳光花园" in outage.notice_zh and "对不起" in outage.notice_zh
    assert "主管线爆裂" in outage.notice_en and "sorry" in outage.notice_en
    assert as_dict(outage, NOW)["state"] == "active"


@pytest.mark.parametrize(
    ("request_fields", "key"),
    [
        ({"estates": []}, "outage_no_area"),
        ({"estates": [" ", ""]}, "outage_no_area"),
        ({"reason": "  "}, "outage_no_reason"),
        ({"end_at": NOW - timedelta(hours=1)}, "outage_end_before_start"),
        ({"start_at": NOW - timedelta(hours=5), "end_at": NOW - timedelta(hours=1)}, "outage_ended"),
        ({"buildings": ["三号楼", "abc"]}, "outage_bad_building"),  # never announced as "abc号楼"
        ({"buildings": ["-1"]}, "outage_bad_building"),
    ],
)
def test_bad_declarations_are_refused_and_write_nothing(db_session: Session, request_fields, key) -> None:  # type: ignore[no-untyped-def]
    request = fault("阳光花园")
    for name, value in request_fields.items():
        setattr(request, name, value)
    with pytest.raises(OutageRefused) as refused:
        declare_outage(db_session, request, "dispatcher1", NOW, get_settings())
    assert refused.value.key == key and refused.value.text("en") and refused.value.text("zh")
    assert db_session.scalar(select(func.count()).select_from(Outage)) == 0


def test_a_second_outage_for_the_same_area_and_time_is_refused_whatever_the_spelling(db_session: Session) -> None:
    declare_outage(db_session, fault("阳光花园", buildings=["3", "5"]), "d1", NOW, get_settings())
    with pytest.raises(OutageRefused) as refused:
        declare_outage(db_session, fault("Sunshine Garden", buildings=["5"]), "d1", NOW, get_settings())
    assert refused.value.key == "outage_overlaps"
    # Other buildings of the same estate, or another estate, are a different outage.
    declare_outage(db_session, fault("Sunshine Garden", buildings=["7"]), "d1", NOW, get_settings())
    declare_outage(db_session, fault("幸福家园"), "d1", NOW, get_settings())
    assert db_session.scalar(select(func.count()).select_from(Outage)) == 3


def test_a_long_planned_stop_announced_late_needs_a_reason(db_session: Session) -> None:
    late = OutageRequest(["翠湖苑"], NOW + timedelta(days=1), NOW + timedelta(days=3), "管网改造", planned=True)
    with pytest.raises(OutageRefused) as refused:
        declare_outage(db_session, late, "d1", NOW, get_settings())
    assert refused.value.key == "outage_r10_late"
    late.late_reason = "上级紧急通知"
    assert declare_outage(db_session, late, "d1", NOW, get_settings()).outage.late_reason == "上级紧急通知"


def test_an_estate_never_seen_is_accepted_with_a_warning_and_its_close_matches(db_session: Session) -> None:
    result = declare_outage(db_session, fault("阳光花圆"), "d1", NOW, get_settings())  # a typo of 阳光花园
    assert result.outage.id and len(result.warnings) == 1
    assert "阳光花圆" in result.warnings[0] and "阳光花园" in result.warnings[0]
    assert (
        declare_outage(db_session, fault("幸福家园"), "d1", NOW, get_settings()).warnings == ()
    )  # listed in estates.yml


def test_an_address_matches_the_outage_by_any_name_of_its_estate_and_building(db_session: Session) -> None:
    outage = declare_outage(db_session, fault("阳光花园", buildings=["3"]), "d1", NOW, get_settings()).outage
    assert outage_at(db_session, "Sunshine Garden", "3", NOW, alias_table(get_settings().estates_file)) is outage
    assert (
        outage_at(db_session, "阳光花园小区", None, NOW, alias_table(get_settings().estates_file)) is outage
    )  # building unknown yet: still in
    assert outage_at(db_session, "阳光花园", "4", NOW, alias_table(get_settings().estates_file)) is None
    assert outage_at(db_session, "幸福家园", "3", NOW, alias_table(get_settings().estates_file)) is None
    assert (
        outage_at(db_session, "阳光花园", "3", NOW + timedelta(hours=7), alias_table(get_settings().estates_file))
        is None
    )  # over


def test_a_fault_is_announced_once_to_reachable_named_residents_of_the_area(db_session: Session) -> None:
    report(db_session, "阳光花园", sender="tg-in-area", at=NOW - timedelta(days=30), no_heat=False)
    report(db_session, "Sunshine Garden", sender="tg-english", language="en", at=NOW - timedelta(days=9), no_heat=False)
    report(db_session, "阳光花园", anonymous=True, sender="tg-anonymous", at=NOW - timedelta(days=3), no_heat=False)
    report(db_session, "阳光花园", channel="web", sender="web-in-area", at=NOW - timedelta(days=2), no_heat=False)
    report(db_session, "幸福家园", sender="tg-elsewhere", at=NOW - timedelta(days=2), no_heat=False)
    result = declare_outage(db_session, fault("阳光花园"), "d1", NOW, get_settings())
    assert result.told == 2
    assert "主管线爆裂" in outbox_of(db_session, "tg-in-area")[0]
    assert "burst" in outbox_of(db_session, "tg-english")[0] or "主管线爆裂" in outbox_of(db_session, "tg-english")[0]
    assert outbox_of(db_session, "tg-english")[0].startswith("Hello")
    for nobody in ("tg-anonymous", "web-in-area", "tg-elsewhere"):
        assert outbox_of(db_session, nobody) == []
    assert (
        announce_due(db_session, NOW + timedelta(minutes=5), alias_table(get_settings().estates_file)) == 0
    )  # once per resident
    assert len(outbox_of(db_session, "tg-in-area")) == 1


def test_planned_works_are_announced_two_days_ahead(db_session: Session) -> None:
    report(db_session, "翠湖苑", sender="tg-1", at=NOW - timedelta(days=30), no_heat=False)
    start = NOW + timedelta(days=5)
    planned = OutageRequest(["翠湖苑"], start, start + timedelta(hours=30), "管网改造", planned=True)
    assert declare_outage(db_session, planned, "d1", NOW, get_settings()).told == 0  # too early to tell
    assert announce_due(db_session, start - timedelta(days=2, minutes=1), alias_table(get_settings().estates_file)) == 0
    assert announce_due(db_session, start - timedelta(days=2), alias_table(get_settings().estates_file)) == 1
    assert "管网改造" in outbox_of(db_session, "tg-1")[0]


def test_reports_already_made_are_linked_and_restoration_resolves_them_and_asks_a_day_later(
    db_session: Session,
) -> None:
    earlier = report(db_session, "阳光花园", sender="tg-1", at=NOW - timedelta(minutes=10))
    leak_like = report(db_session, "阳光花园", sender="tg-2", at=NOW - timedelta(minutes=5), no_heat=False)
    result = declare_outage(db_session, fault("阳光花园"), "d1", NOW, get_settings())
    assert result.linked == 1 and earlier.outage_id == result.outage.id and leak_like.outage_id is None
    assert earlier.resolve_due_at is None and earlier.next_due_at is None  # no clock of its own (R2)
    restored_at = NOW + timedelta(hours=3)
    restore_outage(db_session, result.outage.id, "d1", restored_at, get_settings())
    assert earlier.status is TicketStatus.RESOLVED
    assert earlier.followup_state is FollowupState.SCHEDULED
    assert earlier.followup_due_at == restored_at + timedelta(hours=24)
    assert any("恢复供热" in text for text in outbox_of(db_session, "tg-1"))
    with pytest.raises(OutageRefused) as refused:
        restore_outage(db_session, result.outage.id, "d1", restored_at, get_settings())
    assert refused.value.key == "outage_already_restored"


def test_a_moved_end_is_told_and_refused_when_before_the_start(db_session: Session) -> None:
    report(db_session, "阳光花园", sender="tg-1", at=NOW - timedelta(days=3), no_heat=False)
    outage = declare_outage(db_session, fault("阳光花园"), "d1", NOW, get_settings()).outage
    assert change_end(db_session, outage.id, NOW + timedelta(hours=12), "d1", NOW, get_settings()).told == 1
    assert len(outbox_of(db_session, "tg-1")) == 2
    with pytest.raises(OutageRefused):
        change_end(db_session, outage.id, outage.start_at - timedelta(hours=1), "d1", NOW, get_settings())
    with pytest.raises(OutageRefused) as missing:
        change_end(db_session, 999, NOW + timedelta(hours=12), "d1", NOW, get_settings())
    assert missing.value.key == "outage_not_found"


def test_three_no_heat_reports_in_half_an_hour_raise_one_suspicion_and_declaring_links_them(
    db_session: Session,
) -> None:
    tickets = [
        report(db_session, "幸福家园", sender=f"tg-{i}", at=NOW - timedelta(minutes=20 - 5 * i)) for i in range(3)
    ]
    report(db_session, "翠湖苑", sender="tg-other", at=NOW - timedelta(minutes=1))
    assert (
        raise_suspicions(db_session, NOW, 3, timedelta(minutes=30), alias_table(get_settings().estates_file))[0].estate
        == "幸福家园"
    )
    assert (
        raise_suspicions(
            db_session, NOW + timedelta(minutes=1), 3, timedelta(minutes=30), alias_table(get_settings().estates_file)
        )
        == []
    )  # once
    assert [s.estate for s in open_suspicions(db_session)] == ["幸福家园"]
    result = declare_outage(db_session, fault("Happiness Home"), "d1", NOW, get_settings())
    assert result.linked == 3 and all(t.outage_id == result.outage.id for t in tickets)
    assert open_suspicions(db_session) == []


def test_two_reports_or_slow_reports_raise_nothing(db_session: Session) -> None:
    report(db_session, "幸福家园", sender="a", at=NOW - timedelta(minutes=50))
    report(db_session, "幸福家园", sender="b", at=NOW - timedelta(minutes=10))
    report(db_session, "幸福家园", sender="c", at=NOW - timedelta(minutes=5))
    assert raise_suspicions(db_session, NOW, 3, timedelta(minutes=30), alias_table(get_settings().estates_file)) == []


def test_times_without_a_zone_are_local_and_nonsense_is_refused() -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    assert parse_time("2026-12-01T08:00", tz) == datetime(2026, 12, 1, 0, 0, tzinfo=timezone.utc)
    with pytest.raises(OutageRefused) as refused:
        parse_time("tomorrow morning", tz)
    assert refused.value.key == "outage_bad_time"


def test_the_command_line_declares_lists_updates_and_restores() -> None:
    start = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    end = (datetime.now(timezone.utc) + timedelta(hours=8)).isoformat()
    added = hotline("outages", "add", "--area", "阳光花园,翠湖苑", "--buildings", "3,5", "--start", start,
                    "--end", end, "--reason", "换热站故障")  # fmt: skip
    assert added.returncode == 0, added.stderr
    outage_id = added.stdout.strip()
    assert outage_id.isdigit()
    again = hotline("outages", "add", "--area", "Sunshine Garden", "--start", start, "--end", end, "--reason", "x")
    assert again.returncode == 2 and f"#{outage_id}" in again.stderr
    backwards = hotline("outages", "add", "--area", "幸福家园", "--start", end, "--end", start, "--reason", "x")
    assert backwards.returncode == 2 and "结束时间必须晚于开始时间" in backwards.stderr
    listed = json.loads(hotline("outages", "list", "--json").stdout)
    mine = next(o for o in listed if str(o["id"]) == outage_id)
    assert mine["estates"] == ["阳光花园", "翠湖苑"] and mine["buildings"] == ["3", "5"] and mine["state"] == "active"
    new_end = (datetime.now(timezone.utc) + timedelta(hours=12)).isoformat()
    assert hotline("outages", "update", outage_id, "--end", new_end).returncode == 0
    assert hotline("outages", "restore", outage_id).returncode == 0
    twice = hotline("outages", "restore", outage_id)
    assert twice.returncode == 2 and "已于" in twice.stderr
    assert hotline("outages", "restore", "99999").returncode == 2


def test_statistics_count_outages_residents_duration_and_r10_compliance(db_session: Session) -> None:
    from bot.core.outages.stats import figures_for

    report(db_session, "翠湖苑", sender="tg-1", at=NOW - timedelta(days=30), no_heat=False)
    report(db_session, "幸福家园", sender="tg-2", at=NOW - timedelta(minutes=5))
    in_time = OutageRequest(
        ["翠湖苑"], NOW + timedelta(days=3), NOW + timedelta(days=4, hours=6), "管网改造", planned=True
    )
    declare_outage(db_session, in_time, "d1", NOW, get_settings())
    announce_due(
        db_session, NOW + timedelta(days=1), alias_table(get_settings().estates_file)
    )  # two days ahead: in time
    late = OutageRequest(["阳光花园"], NOW + timedelta(hours=10), NOW + timedelta(hours=40), "抢修", planned=True,
                         late_reason="紧急")  # fmt: skip
    declare_outage(db_session, late, "d1", NOW, get_settings())
    broken = declare_outage(db_session, fault("幸福家园", hours=4), "d1", NOW, get_settings()).outage
    restore_outage(db_session, broken.id, "d1", NOW + timedelta(hours=2), get_settings())
    figures = figures_for(db_session, NOW - timedelta(days=1), NOW + timedelta(days=10))
    assert (figures.outages, figures.faults, figures.planned) == (3, 1, 2)
    assert figures.residents_told == 2 and figures.reports_linked == 1  # tg-1 (planned), tg-2 (fault)
    assert figures.r10_judged == 3 and figures.r10_met == 2  # the late planned stop broke R10
    assert sorted(figures.lead_hours) == [10.0, 48.0]
    assert figures.hours == pytest.approx(30 + 30 + 2.5, abs=0.01)


def test_the_public_feed_lists_active_and_planned_outages_with_their_names_to_match() -> None:
    from bot.channels.outage_feed import current_outages
    from bot.core.db import session_scope

    now = datetime.now(timezone.utc)
    with session_scope() as session:
        active = declare_outage(
            session,
            OutageRequest(["翠湖苑"], now - timedelta(hours=1), now + timedelta(hours=5), "换热站故障"),
            "d1",
            now,
            get_settings(),
        ).outage.id
        coming = declare_outage(
            session,
            OutageRequest(
                ["幸福家园"], now + timedelta(days=3), now + timedelta(days=3, hours=6), "检修", planned=True
            ),
            "d1",
            now,
            get_settings(),
        ).outage.id
        gone = declare_outage(
            session,
            OutageRequest(["Rose Court"], now - timedelta(hours=1), now + timedelta(hours=5), "x"),
            "d1",
            now,
            get_settings(),
        ).outage.id
        restore_outage(session, gone, "d1", now, get_settings())
    try:
        with session_scope() as session:
            feed = {entry["id"]: entry for entry in current_outages(session, get_settings().estates_file)}
        assert feed[active]["state"] == "active" and "emeraldlakecourt" in feed[active]["match"]
        assert feed[coming]["state"] == "planned" and feed[coming]["notice"]["zh"].count("检修") == 1
        assert gone not in feed and "linked_reports" not in feed[active] and "created_by" not in feed[active]
    finally:  # the database is shared with the end-to-end tests: leave no outage behind
        with session_scope() as session:
            for outage_id in (active, coming):
                restore_outage(session, outage_id, "d1", now, get_settings())


def test_heat_still_not_back_a_day_later_makes_the_linked_report_a_normal_repair(db_session: Session) -> None:
    from bot.core.tickets.followups import record_answer

    ticket = report(db_session, "阳光花园", sender="tg-1", at=NOW - timedelta(minutes=10))
    outage = declare_outage(db_session, fault("阳光花园"), "d1", NOW, get_settings()).outage
    restore_outage(db_session, outage.id, "d1", NOW + timedelta(hours=3), get_settings())
    assert ticket.resolve_due_at is None
    later = NOW + timedelta(hours=27)
    record_answer(db_session, ticket, get_settings(), solved=False, satisfaction=None, comment=None, now=later)
    assert ticket.status is TicketStatus.REOPENED
    assert ticket.contact_due_at == later + timedelta(minutes=30) and ticket.resolve_due_at is not None  # R2 from now
    assert ticket.group_posted_at is None and ticket.next_due_at is not None  # the dispatchers hear of it


@pytest.mark.parametrize(
    ("parsed", "raw", "stored"),
    [
        ("住幸福家园", "住幸福家园5号楼2单元603", "幸福家园"),  # a word before the name
        ("翠湖小区", "翠湖小区7号楼1单元101", "翠湖苑"),  # another listed name
        ("Sunshine Garden", "Sunshine Garden building 3 unit 2 room 301", "阳光花园"),
        ("上周三在", "举报幸福家园的收费员,上周三在6号楼收钱", "幸福家园"),  # the parser took other words
        ("金城小区", "金城小区10号楼", "金城小区"),  # not listed: as given
        (None, "举报幸福家园的收费员", None),  # no place given (an anonymous report may keep it back)
    ],
)
def test_a_ticket_is_filed_under_the_listed_estate_its_words_name(
    parsed: str | None, raw: str, stored: str | None
) -> None:
    assert listed_estate(parsed, raw, alias_table(get_settings().estates_file)) == stored


def test_planned_works_called_off_before_they_start_count_no_hours(db_session: Session) -> None:
    from bot.core.outages.stats import figures_for

    start = NOW + timedelta(days=8)
    planned = OutageRequest(["翠湖苑"], start, start + timedelta(hours=36), "管网改造", planned=True)
    outage = declare_outage(db_session, planned, "d1", NOW, get_settings()).outage
    restore_outage(db_session, outage.id, "d1", NOW + timedelta(minutes=1), get_settings())
    assert outage.restored_at == start  # it stopped no heat
    figures = figures_for(db_session, NOW - timedelta(days=1), NOW + timedelta(days=10))
    assert figures.hours == 0


def test_buildings_are_stored_as_the_address_parser_reads_them(db_session: Session) -> None:
    request = fault("阳光花园")
    request.buildings = ["三号楼", "3", "5号楼", "building 7"]
    outage = declare_outage(db_session, request, "d1", NOW, get_settings()).outage
    assert outage.buildings == ["3", "5", "7"]
