"""The texts (issue 13): one gettext catalog per language in bot/locale/, complete in both, used by
say(), the dispatchers' notices, Telegram and the dashboard's templates, and never falling back."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from bot.config import get_settings
from bot.core.conversation.messages import CATEGORY_NAMES, PRIORITY_NAMES, STATUS_NAMES, TEXTS, name_of, say
from bot.core.models import Category, Priority, Ticket, TicketStatus
from bot.core.text import catalog
from bot.core.text.catalog import LANGUAGES, TextNotFound
from bot.core.tickets.milestones import DEADLINES
from bot.core.tickets.notices import ACTION_TITLES, ACTIONS, ticket_notice
from bot.dashboard.pages import Pages
from bot.dashboard.stats import RULES
from bot.dashboard.texts import TextKey
from bot.dashboard.ticket_work import WorkError

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "bot" / "dashboard" / "templates"
# The functions whose first argument names a text of the catalogs (and pages.text(), and the
# dashboard modules' own text() helpers): the staff's errors are texts of the catalogs too.
TEXT_FUNCTIONS = {"say", "dashboard_text", "staff_text", "TextKey", "WorkError", "FilterError", "OutageRefused",
                  "Explained", "AccountError", "DataFileError", "AnnotationError", "ExampleError",
                  "UnusableDataFile", "ActivationError", "TrainingError", "EvaluationError"}  # fmt: skip


def po_entries(language: str) -> dict[str, str]:
    with catalog.po_path(language).open("rb") as po:
        parsed = read_po(po)
    assert not parsed.fuzzy, f"{catalog.po_path(language)}: the header is marked fuzzy"
    assert not parsed.obsolete, f"{catalog.po_path(language)}: obsolete entries {list(parsed.obsolete)}"
    entries = {}
    for message in parsed:
        if not message.id:
            continue
        assert isinstance(message.id, str) and message.context is None, f"unexpected plural or context: {message.id!r}"
        assert not message.fuzzy, f"{language}: {message.id!r} is marked fuzzy (gettext would ignore it)"
        entries[message.id] = message.string
    return entries


def placeholders(text: str) -> set[str]:
    """{name} as str.format fills it, and %(name)s as Jinja's gettext does. The company's name is
    {company} in Chinese and {company_en} in English: both are the company."""
    names = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    names = {"company" if name == "company_en" else name for name in names}
    return names | {f"%({name})" for name in re.findall(r"%\((\w+)\)s", text)}


def test_every_msgid_has_a_text_in_both_languages() -> None:
    zh, en = po_entries("zh"), po_entries("en")
    assert zh.keys() == en.keys(), f"only zh: {sorted(zh.keys() - en.keys())}, only en: {sorted(en.keys() - zh.keys())}"
    for language, entries in (("zh", zh), ("en", en)):
        empty = [msgid for msgid, text in entries.items() if not text.strip()]
        assert not empty, f"{language}: no text for {empty}"
        assert dict(catalog.texts(language)) == entries  # what the application reads is the whole file


def test_both_languages_fill_the_same_placeholders() -> None:
    zh, en = po_entries("zh"), po_entries("en")
    differ = {msgid: (placeholders(zh[msgid]), placeholders(en[msgid])) for msgid in zh
              if placeholders(zh[msgid]) != placeholders(en[msgid])}  # fmt: skip
    assert not differ, differ
    # A template's msgid is its English words: what it fills is what both texts fill.
    for msgid in zh:
        if "%(" in msgid:
            assert placeholders(msgid) == placeholders(zh[msgid]), msgid


def test_say_never_falls_back() -> None:
    assert say("too_long_not_kept", "zh", length=900, limit=500) == TEXTS["too_long_not_kept"]["zh"].format(
        length=900, limit=500
    )
    assert "900" in say("too_long_not_kept", "en", length=900, limit=500)
    with pytest.raises(TextNotFound, match="no_such_text"):
        say("no_such_text", "zh")
    with pytest.raises(LookupError, match="'fr'"):
        say("greet", "fr")
    with pytest.raises(KeyError):  # as TEXTS[key] raised before
        say("greet", "zh_CN")
    with pytest.raises(LookupError):
        name_of(CATEGORY_NAMES, "report_leak", "de")
    assert name_of(CATEGORY_NAMES, "", "en") == ""  # an empty slot is shown as it is


def _keys_used(node: ast.AST, keys: set[str], prefixes: set[str]) -> None:
    """The text keys an argument can be: a string, either branch of `a if c else b`, any of
    `x or "k"`, and the constant beginning of an f-string (f"change_{field}" -> "change_")."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        keys.add(node.value)
    elif isinstance(node, ast.JoinedStr):
        first = node.values[0] if node.values else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            prefixes.add(first.value)
    elif isinstance(node, ast.IfExp):
        _keys_used(node.body, keys, prefixes)
        _keys_used(node.orelse, keys, prefixes)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            _keys_used(value, keys, prefixes)


def test_every_text_the_code_asks_for_is_in_the_catalog() -> None:
    msgids = set(catalog.texts("zh")) & set(catalog.texts("en"))
    missing: list[str] = []
    used = 0
    sources = [*(ROOT / "bot").rglob("*.py"), *(ROOT / "actions").rglob("*.py")]
    for path in sources:
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            arguments: list[ast.expr] = []
            if isinstance(node, ast.Call) and node.args:
                func = node.func
                if isinstance(func, ast.Name) and (
                    func.id in TEXT_FUNCTIONS or func.id == "text" and "dashboard" in path.parts
                ):
                    arguments.append(node.args[0])
                elif (
                    isinstance(func, ast.Attribute) and func.attr == "text" and getattr(func.value, "id", "") == "pages"
                ):
                    arguments.append(node.args[0])
                elif isinstance(func, ast.Attribute) and func.attr in TEXT_FUNCTIONS:  # data_files.DataFileError(...)
                    arguments.append(node.args[0])
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "text_key" for t in node.targets
            ):
                if not (isinstance(node.value, ast.Constant) and node.value.value == ""):  # the base class's "none"
                    arguments.append(node.value)  # actions' text_key, said with say(self.text_key, ...)
            for argument in arguments:
                keys: set[str] = set()
                prefixes: set[str] = set()
                _keys_used(argument, keys, prefixes)
                for key in keys:
                    used += 1
                    if key not in msgids:
                        missing.append(f"{path.relative_to(ROOT)}: {key!r}")
                for prefix in prefixes:
                    used += 1
                    if not any(msgid.startswith(prefix) for msgid in msgids):
                        missing.append(f"{path.relative_to(ROOT)}: {prefix!r}…")
    assert used > 100, "the scan found too few texts: is the pattern still right?"
    assert not missing, missing
    # The plain grep, as a cross-check of the scan above: say("key", ...) anywhere.
    said = {key for path in sources for key in re.findall(r"\bsay\(\s*\"([\w.]+)\"", path.read_text(encoding="utf-8"))}
    assert len(said) > 80 and not said - msgids, sorted(said - msgids)


def test_the_names_of_enum_values_are_defined_once_for_both_languages() -> None:
    for language in LANGUAGES:
        assert set(catalog.labels("category", language)) == {c.value for c in Category}
        assert set(catalog.labels("status", language)) == {s.value for s in TicketStatus}
        assert set(catalog.labels("status_resident", language)) == {s.value for s in TicketStatus}
        assert set(catalog.labels("priority", language)) == {p.value for p in Priority}
        assert set(catalog.labels("action", language)) == set(ACTIONS)
        assert {d.field for d in DEADLINES} | {"followup"} <= set(catalog.labels("deadline", language))
        assert set(RULES) <= set(catalog.labels("rule", language))
        assert set(catalog.labels("alert", language)) == {
            "warning",
            "breach",
            "not_solved",
            "low_rating",
            "resident_added",
        }
    assert set(STATUS_NAMES) == {s.value for s in TicketStatus} and set(PRIORITY_NAMES) == {p.value for p in Priority}
    assert list(ACTION_TITLES.values()) == ["受理", "已到场", "已解决"]


def test_one_word_for_billing_and_for_closed_everywhere() -> None:
    """缴费问题 (the dispatchers' notices said 缴费, the dashboard 收费); 已结案 (the dashboard said 已关闭)."""
    assert CATEGORY_NAMES["billing_query"] == {"zh": "缴费问题", "en": "billing"}
    assert STATUS_NAMES["closed"] == {"zh": "已结案", "en": "closed"}
    ticket = Ticket(code="HL-ABCDEF", category=Category.BILLING_QUERY, priority=Priority.NORMAL, anonymous=True,
                    description="账单不对", estate="阳光花园")  # fmt: skip
    assert ticket_notice(ticket, ZoneInfo("Asia/Shanghai")).startswith("新工单 HL-ABCDEF(缴费问题,普通)")
    pages = Pages(get_settings())
    assert pages.env.globals["CATEGORY_TITLES"]["billing_query"] == "缴费问题 billing"
    assert pages.env.globals["STATUS_TITLES"]["closed"] == "已结案 closed"
    for language in LANGUAGES:
        assert not [text for text in catalog.texts(language).values() if "已关闭" in text or "收费 billing" in text]


def template_msgids() -> dict[str, str]:
    """Every msgid the templates use, as Babel extracts them (with the dashboard's trimmed policy)."""
    found: dict[str, str] = {}
    for path in sorted(TEMPLATES.glob("*.html")):
        with path.open("rb") as template:
            options = {"trimmed": "true", "newstyle_gettext": "true", "silent": "false"}
            for lineno, message, _comments, _context in extract(babel_extract, template, options=options):
                assert isinstance(message, str), f"{path.name}:{lineno}: plural or context {message!r}"
                found.setdefault(message, f"{path.name}:{lineno}")
    return found


def test_every_template_text_is_in_both_catalogs() -> None:
    used = template_msgids()
    assert len(used) > 150
    for language in LANGUAGES:
        missing = {msgid: where for msgid, where in used.items() if msgid not in catalog.texts(language)}
        assert not missing, f"{language}: {missing}"
    # No Chinese left in the templates themselves: it comes from the zh_CN catalog.
    for path in TEMPLATES.glob("*.html"):
        assert not re.search(r"[\u4e00-\u9fff]", path.read_text(encoding="utf-8")), path.name


@pytest.mark.parametrize("language", LANGUAGES)
def test_templates_render_through_the_catalog(language: str) -> None:
    """The dashboard's Jinja environment translates with the same catalog; Chinese (with English
    alongside) is the default, as the pages always were."""
    pages = Pages(get_settings(), language)
    queue = pages.env.from_string("{% trans %}Queue{% endtrans %}|{{ _('Per day, %(month)s', month='2026-11') }}")
    assert queue.render() == ("工单 Queue|每日 Per day, 2026-11" if language == "zh" else "Queue|Per day, 2026-11")
    html = pages.env.get_template("login.html").render(user=None, error="", login_token="t", next="")
    assert (
        ('lang="zh-CN"' in html and "调度台登录 Sign in" in html)
        if language == "zh"
        else ('lang="en"' in html and "Sign in to the dispatch desk" in html)
    )
    assert Pages(get_settings()).language == "zh"


def test_a_dashboard_message_is_looked_up_in_the_language_it_is_shown_in() -> None:
    refused = WorkError("work.refused", current="closed", allowed=TextKey("work.refused_nothing"))
    assert str(refused).endswith("A ticket that is closed can only become: nothing.")  # the default: Chinese first
    for language in LANGUAGES:
        assert refused.text(language) == catalog.text("work.refused", language).format(
            current="closed", allowed=catalog.text("work.refused_nothing", language)
        )
    with pytest.raises(TextNotFound):
        WorkError("work.no_such_text")


def test_the_staffs_errors_are_texts_of_the_catalogs_in_the_language_shown() -> None:
    """Accounts' and the teaching loop's errors: str() as the command line prints them (as
    before), text() in a page's language, a message inside another in the same language."""
    from bot.dashboard.auth import AccountError
    from bot.teaching.activation import ActivationError
    from bot.teaching.inbox import UnusableDataFile

    assert str(UnusableDataFile("data_file.locked", file="en.yml")).endswith(
        "en.yml is being changed by someone else; try again in a moment."
    )
    inner = ActivationError("model.no_answer", url="http://b", problem="timed out")
    disagree = ActivationError("model.servers_disagree", problem=inner, servers="http://a")
    for language in LANGUAGES:
        said = catalog.text("model.no_answer", language).format(url="http://b", problem="timed out")
        assert disagree.text(language) == catalog.text("model.servers_disagree", language).format(
            problem=said, servers="http://a"
        )
    with pytest.raises(TextNotFound):
        AccountError("account.no_such_text")
