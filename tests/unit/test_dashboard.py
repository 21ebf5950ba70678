"""The dashboard over real HTTP against the running application and its database: sign-in,
sessions, CSRF, roles, the queue, the ticket page's actions and the statistics."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update

from bot.config import get_settings
from bot.core.db import session_scope
from bot.core.models import Alert, Category, StaffSession, StaffUser, Ticket, TicketEvent, TicketStatus
from bot.core.text.address import Address
from bot.core.tickets.intake import TicketDraft, create_ticket, get_ticket_by_code, utcnow
from tests.staff import PASSWORD, Staff, hidden, new_account


def make_ticket(estate: str, category: Category = Category.REPORT_REPAIR, *, minutes_ago: int = 0,
                description: str = "暖气不热", **extra: object) -> str:  # fmt: skip
    with session_scope() as session:
        draft = TicketDraft(category=category, description=description, channel="web", language="zh",
                            address_raw=f"{estate}1号楼1单元101", address=Address(estate, "1", "1", "101"),
                            **({"phone": "+8613812345678"} | extra))  # type: ignore[arg-type]  # fmt: skip
        return create_ticket(session, draft, get_settings(), now=utcnow() - timedelta(minutes=minutes_ago)).code


@pytest.fixture
def dispatcher(app) -> Staff:  # type: ignore[no-untyped-def]
    return Staff(app.base_url, new_account("dispatcher"))


def estate_name() -> str:
    return f"测试小区{uuid.uuid4().hex[:6]}"


# -- access -----------------------------------------------------------------------------------


def test_pages_need_a_signed_in_user(app) -> None:  # type: ignore[no-untyped-def]
    browser = httpx.Client(base_url=app.base_url)
    page = browser.get("/dashboard/")
    assert page.status_code == 303 and page.headers["location"].startswith("/dashboard/login")
    api = browser.get("/dashboard/queue/version", headers={"Accept": "application/json"})
    assert api.status_code == 401 and "Sign in" in api.json()["error"]
    assert browser.get("/dashboard/tickets/HL-222222").status_code == 303


def test_sign_in_sets_a_safe_rotated_cookie_and_sign_out_ends_it(app) -> None:  # type: ignore[no-untyped-def]
    username = new_account()
    first = Staff(app.base_url, username)
    cookie = first.login_response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    old_token = first.client.cookies["hl_session"]
    again = first.sign_in(PASSWORD)  # signing in again in the same browser rotates the session
    assert again.status_code == 303 and first.client.cookies["hl_session"] != old_token
    stale = httpx.Client(base_url=app.base_url, cookies={"hl_session": old_token})
    assert stale.get("/dashboard/").status_code == 303  # the old token no longer works

    first.csrf = hidden(first.get("/dashboard/").text, "csrf")
    assert first.post("/dashboard/logout").status_code == 303
    replay = httpx.Client(base_url=app.base_url, cookies={"hl_session": first.client.cookies.get("hl_session") or ""})
    assert replay.get("/dashboard/").status_code == 303

    behind_https = Staff(app.base_url, username, **{"X-Forwarded-Proto": "https"})
    assert "Secure" in behind_https.login_response.headers["set-cookie"]


def test_wrong_password_and_lockout_after_repeated_failures(app) -> None:  # type: ignore[no-untyped-def]
    username = new_account()
    wrong = Staff(app.base_url, username, password="not-the-password")
    assert wrong.login_response.status_code == 401 and "Wrong username or password" in wrong.login_response.text
    for _ in range(4):
        wrong.sign_in("still-not-it")
    locked = Staff(app.base_url, username)  # the right password, but too late
    assert locked.login_response.status_code == 429 and "Too many failed sign-ins" in locked.login_response.text
    with session_scope() as session:  # nothing was started for the locked account
        user = session.scalar(select(StaffUser).where(StaffUser.username == username))
        assert not session.scalars(select(StaffSession).where(StaffSession.user_id == user.id)).all()  # type: ignore[union-attr]
    assert Staff(app.base_url, new_account()).login_response.status_code == 303  # others still get in


def test_idle_session_expires_after_thirty_minutes(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    assert dispatcher.get("/dashboard/").status_code == 200
    with session_scope() as session:
        user_id = session.scalar(select(StaffUser.id).where(StaffUser.username == dispatcher.username))
        session.execute(update(StaffSession).where(StaffSession.user_id == user_id)
                        .values(last_seen_at=utcnow() - timedelta(minutes=31)))  # fmt: skip
    assert dispatcher.get("/dashboard/").status_code == 303


def test_state_changes_need_the_csrf_token(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    code = make_ticket(estate_name())
    missing = dispatcher.post(f"/dashboard/tickets/{code}/acknowledge", csrf=False)
    forged = dispatcher.client.post(f"/dashboard/tickets/{code}/acknowledge", data={"csrf": "forged"})
    header = dispatcher.client.post(f"/dashboard/tickets/{code}/note", data={"note": "x"},
                                    headers={"X-CSRF-Token": dispatcher.csrf})  # fmt: skip
    assert missing.status_code == 403 and forged.status_code == 403 and "out of date" in missing.text
    assert header.status_code == 303  # the token may also come as a header
    with session_scope() as session:
        assert get_ticket_by_code(session, code).status is TicketStatus.NEW  # type: ignore[union-attr]
    login_without_token = httpx.post(f"{app.base_url}/dashboard/login", data={"username": "a", "password": "b"})
    assert login_without_token.status_code == 403


def test_every_ticket_route_checks_the_role(app) -> None:  # type: ignore[no-untyped-def]
    code = make_ticket(estate_name())
    staff = Staff(app.base_url, new_account("dispatcher"))
    assert staff.get("/dashboard/users").status_code == 403  # admins only
    with session_scope() as session:  # the account's role is taken away while signed in
        session.execute(update(StaffUser).where(StaffUser.username == staff.username).values(role="former"))
    for path in ["/dashboard/", f"/dashboard/tickets/{code}", "/dashboard/stats", "/dashboard/export/tickets.csv",
                 "/dashboard/queue/version"]:  # fmt: skip
        assert staff.get(path).status_code == 403, path
    assert staff.act(code, "acknowledge").status_code == 403
    admin = Staff(app.base_url, new_account("admin"))
    assert staff.username in admin.get("/dashboard/users").text


# -- the queue --------------------------------------------------------------------------------


def test_queue_puts_breaches_on_top_and_filters(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    estate = estate_name()
    fresh_complaint = make_ticket(estate, Category.COMPLAINT, description="收费员态度差")
    breached_leak = make_ticket(estate, Category.REPORT_LEAK, minutes_ago=45, description="水管爆了")
    repair_soon = make_ticket(estate, Category.REPORT_REPAIR, minutes_ago=25)
    page = dispatcher.get("/dashboard/", estate=estate).text
    order = [page.index(code) for code in (breached_leak, repair_soon, fresh_complaint)]
    assert order == sorted(order)
    leak_row = page[page.rindex("<tr", 0, page.index(breached_leak)) : page.index(breached_leak)]
    assert "breached" in leak_row and "BREACHED" in page
    assert "complaint" in page and ": <b>1</b>" in page  # counts per category

    only_leaks = dispatcher.get("/dashboard/", estate=estate, category="report_leak").text
    assert breached_leak in only_leaks and repair_soon not in only_leaks
    searched = dispatcher.get("/dashboard/", q="态度差", estate=estate).text
    assert fresh_complaint in searched and breached_leak not in searched
    by_code = dispatcher.get("/dashboard/", q=repair_soon.lower()).text
    assert repair_soon in by_code
    bad = dispatcher.get("/dashboard/", category="gas")
    assert bad.status_code == 400 and "Unknown category" in bad.text
    assert dispatcher.get("/dashboard/", **{"from": "yesterday"}).status_code == 400


@pytest.mark.parametrize("typed", ["139-1234-5678", "139 1234 5678", "+86 139 1234 5678", "13912345678"])
def test_a_phone_number_is_found_however_the_caller_reads_it(app, dispatcher: Staff, typed: str) -> None:  # type: ignore[no-untyped-def]
    """Tester's finding: "139-1234-5678" or "139 1234 5678" found nothing."""
    estate = estate_name()
    code = make_ticket(estate, phone="+8613912345678")
    other = make_ticket(estate)  # +8613812345678
    found = dispatcher.get("/dashboard/", q=typed, estate=estate).text
    assert code in found and other not in found


@pytest.mark.parametrize("typed", ["0533-1234567", "0533 1234567", "05331234567", "+86 533 1234567"])
def test_a_landline_is_found_with_its_trunk_zero(app, dispatcher: Staff, typed: str) -> None:  # type: ignore[no-untyped-def]
    """Tester's finding: "0533-1234567" as typed found nothing (it is kept as +865331234567)."""
    estate = estate_name()
    code = make_ticket(estate, phone="+865331234567")
    other = make_ticket(estate)
    found = dispatcher.get("/dashboard/", q=typed, estate=estate).text
    assert code in found and other not in found


def test_queue_version_changes_when_the_bot_creates_a_ticket(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    before = dispatcher.get("/dashboard/queue/version").json()["version"]
    estate = estate_name()
    code = make_ticket(estate)
    after = dispatcher.get("/dashboard/queue/version").json()["version"]
    assert after != before
    # Filtered to its estate: other tests' tickets may fill the first page of the whole queue.
    rows = dispatcher.get("/dashboard/queue/rows", status="new", estate=estate).json()
    assert code in rows["rows"] and rows["version"] == after


# -- working a ticket -------------------------------------------------------------------------


def test_dispatcher_works_a_ticket_through_its_workflow(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    code = make_ticket(estate_name())
    assert dispatcher.act(code, "acknowledge").status_code == 303
    assert dispatcher.act(code, "crew", crew="东区抢修二班").status_code == 303
    assert dispatcher.act(code, "note", note="已电话联系,下午到").status_code == 303
    # acknowledged → closed is allowed, with a note saying why (it was never resolved)
    unexplained = dispatcher.act(code, "status", status="closed")
    assert unexplained.status_code == 400 and "needs a note" in unexplained.text
    closed = dispatcher.act(code, "status", status="closed", note="居民来电说已自行修好")
    assert closed.status_code == 303
    wrong = dispatcher.act(code, "status", status="in_progress")
    assert wrong.status_code == 400 and "can only become: reopened" in wrong.text
    other = Staff(app.base_url, new_account("dispatcher"))
    taken = other.act(code, "own")
    assert taken.status_code == 400 and f"{dispatcher.username} owns this ticket" in taken.text
    page = dispatcher.get(f"/dashboard/tickets/{code}").text
    assert "东区抢修二班" in page and "已电话联系,下午到" in page
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket.status is TicketStatus.CLOSED and ticket.owner == dispatcher.username  # type: ignore[union-attr]
        assert ticket.acknowledged_at is not None and ticket.next_due_at is None  # type: ignore[union-attr]
        actors = {(e.kind, e.actor) for e in ticket.events}  # type: ignore[union-attr]
    assert {("status_changed", dispatcher.username), ("owner_changed", dispatcher.username),
            ("crew_assigned", dispatcher.username), ("note", dispatcher.username)} <= actors  # fmt: skip


def test_a_second_dispatcher_changes_nothing_on_a_ticket_another_owns(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    """Testers' finding (R13): zhao replied to wang's resident, changed the callback number and the
    address, downgraded a leak to a repair and dismissed its alerts; only the status was refused."""
    from bot.core.tickets.alerts import raise_alert

    estate = estate_name()
    code = make_ticket(estate, Category.REPORT_LEAK, sender_ref="web:owned-elsewhere")
    original = make_ticket(estate, Category.REPORT_LEAK)
    assert dispatcher.act(code, "own").status_code == 303
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        alert = raise_alert(session, ticket, "R1", "onsite_due_at", "warning", utcnow(), utcnow())  # type: ignore[arg-type]
        session.flush()
        alert_id = alert.id

    def state() -> tuple:  # type: ignore[type-arg]
        with session_scope() as session:
            t = get_ticket_by_code(session, code)
            return (t.status, t.owner, t.crew, t.phone, t.address_raw, t.category, len(t.events),  # type: ignore[union-attr]
                    session.get(Alert, alert_id).acknowledged_at)  # type: ignore[union-attr]  # fmt: skip

    before = state()
    other = Staff(app.base_url, new_account("dispatcher"))
    steps = {"acknowledge": {}, "crew": {"crew": "别的班组"}, "note": {"note": "我来看看"},
             "reply": {"text": "你好"}, "phone": {"phone": "13000000009"}, "address": {"address": "别处"},
             "category": {"category": "report_repair"}, "status": {"status": "in_progress"},
             "duplicate": {"original": original}}  # fmt: skip
    for step, form in steps.items():
        refused = other.act(code, step, **form)
        assert refused.status_code == 400 and f"{dispatcher.username} owns this ticket" in refused.text, step
    dismissed = other.post(f"/dashboard/alerts/{alert_id}/ack", back="/dashboard/")
    assert dismissed.status_code == 400 and f"{dispatcher.username} owns this ticket" in dismissed.text
    assert state() == before
    page = other.get(f"/dashboard/tickets/{code}").text  # told whose case it is; no forms that would be refused
    assert f"{dispatcher.username} owns this ticket" in page and "step-reply" not in page and "step-crew" not in page
    admin = Staff(app.base_url, new_account("admin"))
    assert admin.act(code, "crew", crew="抢修一班").status_code == 303  # an admin may step in
    assert dispatcher.post(f"/dashboard/alerts/{alert_id}/ack", back="/dashboard/").status_code == 303


def test_category_correction_and_duplicates(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    estate = estate_name()
    first = make_ticket(estate, Category.REPORT_REPAIR, description="楼道里有水")
    second = make_ticket(estate, Category.REPORT_REPAIR, description="楼道漏水")
    assert dispatcher.act(first, "category", category="report_leak").status_code == 303
    assert dispatcher.act(second, "duplicate", original=first).status_code == 303
    assert "No ticket with the code" in dispatcher.act(first, "duplicate", original="HL-NOPE22").text
    with session_scope() as session:
        corrected = get_ticket_by_code(session, first)
        assert corrected.category is Category.REPORT_LEAK and corrected.priority.value == "urgent"  # type: ignore[union-attr]
        assert corrected.onsite_due_at - corrected.created_at == timedelta(minutes=30)  # type: ignore[union-attr, operator]
        kinds = [e.kind for e in corrected.events]  # type: ignore[union-attr]
        assert "category_corrected" in kinds and "duplicate_received" in kinds
        duplicate = get_ticket_by_code(session, second)
        assert duplicate.duplicate_of_id == corrected.id and duplicate.status is TicketStatus.CLOSED  # type: ignore[union-attr]
    assert second in dispatcher.get(f"/dashboard/tickets/{first}").text


def test_anonymous_ticket_shows_no_contact_no_transcript_and_takes_no_reply(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    code = make_ticket(estate_name(), Category.COMPLAINT, anonymous=True, sender_ref="web:secret-pseudonym")
    page = dispatcher.get(f"/dashboard/tickets/{code}").text
    assert "+8613812345678" not in page and "Anonymous" in page and "not shown (R7)" in page
    refused = dispatcher.act(code, "reply", text="您好")
    assert refused.status_code == 400 and "cannot be written to" in refused.text


def test_a_dispatcher_corrects_the_phone_and_the_address(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    """A tester's resident gave the right number on the phone to the dispatcher, who had no way
    to put it on the ticket; nor the building the bot had misheard."""
    estate = estate_name()
    code = make_ticket(estate)
    assert dispatcher.act(code, "phone", phone="139 1234 5678").status_code == 303
    assert dispatcher.act(code, "address", address="松涛花园5号楼2单元502").status_code == 303
    for field, value, refusal in [
        ("phone", "12345", "not a phone number"), ("phone", "  ", "The phone number is empty"),
        ("address", "", "The address is empty"), ("address", "x" * 201, "longer than 200"),
    ]:  # fmt: skip
        refused = dispatcher.act(code, field, **{field: value})
        assert refused.status_code == 400 and refusal in refused.text, (field, value)
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and ticket.phone == "+8613912345678"
        assert (ticket.address_raw, ticket.estate, ticket.building, ticket.unit, ticket.room) == (
            "松涛花园5号楼2单元502", "松涛花园", "5", "2", "502")  # fmt: skip
        kinds = {(e.kind, e.actor) for e in ticket.events}
        assert {("phone_corrected", dispatcher.username), ("address_corrected", dispatcher.username)} <= kinds
        # The numbers stay off the history: a report made anonymous later must keep none (R7).
        assert not any("139" in str(e.detail) for e in ticket.events)
    page = dispatcher.get(f"/dashboard/tickets/{code}").text
    assert "+8613912345678" in page and "松涛花园5号楼2单元502" in page
    dispatcher.act(code, "address", address="6号楼1单元101")  # no estate named: it stays
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and (ticket.estate, ticket.building, ticket.room) == ("松涛花园", "6", "101")


def test_an_anonymous_ticket_takes_no_phone(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    code = make_ticket(estate_name(), Category.COMPLAINT, anonymous=True, phone=None)
    refused = dispatcher.act(code, "phone", phone="13912345678")
    assert refused.status_code == 400 and "anonymous" in refused.text
    with session_scope() as session:
        assert get_ticket_by_code(session, code).phone is None  # type: ignore[union-attr]


def test_statistics_page_and_csv_exports(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    estate = estate_name()
    code = make_ticket(estate, Category.COMPLAINT)
    dispatcher.act(code, "acknowledge")
    dispatcher.act(code, "status", status="resolved")
    page = dispatcher.get("/dashboard/stats")
    assert page.status_code == 200 and "<svg" in page.text and "R4 handling opinion" in page.text
    assert "complaint-closure" in page.text
    tickets_csv = dispatcher.get("/dashboard/export/tickets.csv", estate=estate)
    assert tickets_csv.headers["content-type"].startswith("text/csv")
    lines = tickets_csv.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("code,category") and len(lines) == 2 and code in lines[1]
    stats_csv = dispatcher.get("/dashboard/export/statistics.csv").text
    assert "sla R4 met/judged" in stats_csv and "complaint closure rate" in stats_csv
    assert dispatcher.get("/dashboard/stats", month="11/2026").status_code == 400
    for far in ("9999-12", "0001-01"):  # no month after or before to count to: refused, never a 500
        assert dispatcher.get("/dashboard/stats", month=far).status_code == 400
        assert dispatcher.get("/dashboard/export/statistics.csv", month=far).status_code == 400


def test_alerts_are_listed_and_acknowledged(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    from bot.core.tickets.alerts import check_deadlines

    code = make_ticket(estate_name(), Category.REPORT_LEAK, minutes_ago=40)
    with session_scope() as session:
        check_deadlines(session, utcnow())
    page = dispatcher.get("/dashboard/").text
    box = page[page.index("Alerts") : page.index("</section>")]
    assert code in box and "已超时" in box and "到场" in box  # named, not "breach onsite_due_at" (a tester's)
    alert_id = page.split(f"{code}</a>")[1].split("/dashboard/alerts/")[1].split("/ack")[0]
    assert dispatcher.post(f"/dashboard/alerts/{alert_id}/ack", back="/dashboard/").status_code == 303
    with session_scope() as session:
        ack = session.scalar(
            select(TicketEvent).join(Ticket).where(Ticket.code == code, TicketEvent.kind == "alert_acknowledged")
        )
        assert ack is not None and ack.actor == dispatcher.username


def test_a_link_cannot_put_its_own_words_on_a_dashboard_page(dispatcher: Staff) -> None:
    """The confirmation after a step travels in the redirect, signed; a crafted link's is not shown."""
    code = make_ticket(estate_name())
    phishing = "系统升级:请把密码发到 evil@example.com"
    assert phishing not in dispatcher.get(f"/dashboard/tickets/{code}", done=phishing).text
    assert phishing not in dispatcher.get("/dashboard/nlu/inbox", done=phishing).text
    noted = dispatcher.act(code, "note", note="已电话联系")
    assert noted.status_code == 303
    shown = dispatcher.client.get(noted.headers["location"]).text  # the redirect as the browser follows it
    assert 'class="done"' in shown


def test_a_passed_deadline_stays_in_view_however_many_warnings_follow(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    from bot.core.tickets.alerts import check_deadlines, raise_alert

    breached = make_ticket(estate_name(), Category.REPORT_LEAK, minutes_ago=40)
    with session_scope() as session:
        check_deadlines(session, utcnow())
    for _ in range(25):  # newer warnings than the breach, more than the box shows
        code = make_ticket(estate_name())
        with session_scope() as session:
            ticket = get_ticket_by_code(session, code)
            raise_alert(session, ticket, "R2", "contact_due_at", "warning", utcnow(), utcnow())  # type: ignore[arg-type]
    page = dispatcher.get("/dashboard/").text
    box = page[page.index("Alerts") : page.index("</section>")]
    assert breached in box
    with session_scope() as session:
        total = session.scalar(select(func.count(Alert.id)).where(Alert.acknowledged_at.is_(None)))
    assert f"Alerts ({total})" in box and "最紧要的 20 条" in box


def test_an_admin_hands_a_ticket_to_a_named_dispatcher_and_a_dispatcher_cannot(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    code = make_ticket(estate_name())
    assert dispatcher.act(code, "acknowledge").status_code == 303  # the dispatcher owns it
    admin = Staff(app.base_url, new_account("admin"))
    other = new_account("dispatcher")
    unknown = admin.act(code, "hand_over", to="nobody-like-this")
    assert unknown.status_code == 400 and "no active account" in unknown.text
    assert dispatcher.act(code, "hand_over", to=other).status_code == 400  # only an admin hands over
    assert admin.act(code, "hand_over", to=other).status_code == 303
    with session_scope() as session:
        ticket = get_ticket_by_code(session, code)
        assert ticket is not None and ticket.owner == other


def test_a_complaint_or_an_anonymous_report_is_never_closed_as_anothers_duplicate(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    """Tester's findings: an anonymous bribery complaint was closed as a duplicate of a repair
    (never to be answered, and tied to a named report); a closed duplicate was linked again,
    and kept its link when reopened."""
    estate = estate_name()
    repair = make_ticket(estate, Category.REPORT_REPAIR)
    complaint = make_ticket(estate, Category.COMPLAINT, description="收费员收钱不开票")
    anonymous = make_ticket(estate, Category.REPORT_REPAIR, anonymous=True, sender_ref=None, phone=None)
    assert "另一类" in dispatcher.act(complaint, "duplicate", original=repair).text
    assert "匿名" in dispatcher.act(anonymous, "duplicate", original=repair).text
    other = make_ticket(estate, Category.REPORT_REPAIR)
    assert dispatcher.act(other, "duplicate", original=repair).status_code == 303
    assert "已标为" in dispatcher.act(other, "duplicate", original=complaint).text
    dispatcher.act(other, "status", status="reopened")
    with session_scope() as session:
        assert get_ticket_by_code(session, complaint).status is not TicketStatus.CLOSED  # type: ignore[union-attr]
        assert get_ticket_by_code(session, other).duplicate_of_id is None  # type: ignore[union-attr]


def test_an_open_report_is_never_closed_as_the_duplicate_of_a_finished_one(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    """Tester's finding: a resident's "still cold!! don't close it" was closed as the duplicate of a
    ticket closed already, and so both were closed with nobody working the fault."""
    estate = estate_name()
    finished = make_ticket(estate, Category.REPORT_REPAIR)
    assert dispatcher.act(finished, "status", status="resolved", note="修好了").status_code == 303
    still_cold = make_ticket(estate, Category.REPORT_REPAIR, description="还是冰凉的,别关单")
    refused = dispatcher.act(still_cold, "duplicate", original=finished)
    assert refused.status_code == 400 and finished in refused.text and "重新打开" in refused.text
    with session_scope() as session:
        assert get_ticket_by_code(session, still_cold).status is TicketStatus.NEW  # type: ignore[union-attr]


def test_a_report_is_never_closed_as_the_duplicate_of_one_at_another_address(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    """Tester's finding: a new gas report was closed, in one click, as the duplicate of a gas
    report at another estate: nobody would have gone to the first address."""
    here, there = estate_name(), estate_name()
    gas = make_ticket(here, Category.REPORT_LEAK, description="厨房有煤气味", subcategory="gas")
    elsewhere = make_ticket(there, Category.REPORT_LEAK, description="楼道煤气味", subcategory="gas")
    refused = dispatcher.act(gas, "duplicate", original=elsewhere)
    assert refused.status_code == 400 and "另一个地址" in refused.text and elsewhere in refused.text
    with session_scope() as session:
        assert get_ticket_by_code(session, gas).status is TicketStatus.NEW  # type: ignore[union-attr]
    neighbour = make_ticket(here, Category.REPORT_LEAK, description="楼道里有煤气味", subcategory="gas")
    assert dispatcher.act(neighbour, "duplicate", original=gas).status_code == 303  # the same building


def test_only_the_owner_or_an_admin_moves_an_owned_ticket(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    """Tester's finding: a dispatcher closed a complaint another had acknowledged; it was never
    answered, and counted as met."""
    estate = estate_name()
    code = make_ticket(estate, Category.COMPLAINT, description="收费员态度恶劣")
    other = make_ticket(estate, Category.COMPLAINT, description="收费员态度恶劣")
    owner = Staff(app.base_url, new_account("dispatcher"))
    assert owner.act(code, "acknowledge").status_code == 303
    for step, form in (("status", {"status": "closed", "note": "不用管了"}), ("status", {"status": "in_progress"}),
                       ("duplicate", {"original": other})):  # fmt: skip
        refused = dispatcher.act(code, step, **form)
        assert refused.status_code == 400 and owner.username in refused.text, (step, form)
    with session_scope() as session:
        assert get_ticket_by_code(session, code).status is TicketStatus.ACKNOWLEDGED  # type: ignore[union-attr]
    assert 'class="step step-own"' not in dispatcher.get(f"/dashboard/tickets/{code}").text  # no button that fails
    admin = Staff(app.base_url, new_account("admin"))
    assert 'class="step step-own"' in admin.get(f"/dashboard/tickets/{code}").text
    assert admin.act(code, "status", status="in_progress").status_code == 303
    assert owner.act(code, "status", status="resolved").status_code == 303
    assert dispatcher.act(other, "status", status="in_progress").status_code == 303  # unowned: anyone


def test_a_gas_report_is_marked_gas_in_the_queue_and_on_its_page(app, dispatcher: Staff) -> None:  # type: ignore[no-untyped-def]
    """Tester's finding: a suspected gas leak showed as a plain "漏水 leak" to the dispatchers."""
    estate = estate_name()
    gas = make_ticket(estate, Category.REPORT_LEAK, description="厨房有煤气味", subcategory="gas")
    water = make_ticket(estate, Category.REPORT_LEAK, description="暖气片漏水")
    queue = dispatcher.get("/dashboard/", estate=estate).text
    gas_row = queue[queue.rindex("<tr", 0, queue.index(gas)) : queue.index("</tr>", queue.index(gas))]
    water_row = queue[queue.rindex("<tr", 0, queue.index(water)) : queue.index("</tr>", queue.index(water))]
    assert "燃气" in gas_row and "燃气" not in water_row
    assert "燃气" in dispatcher.get(f"/dashboard/tickets/{gas}").text
