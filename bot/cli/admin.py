"""`hotline db` and `users`: the database's migrations and the dashboard's accounts."""

from __future__ import annotations

import argparse
import getpass
import sys


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from bot.migrate import upgrade

    upgrade()
    print("Database is at the newest schema.")
    return 0


def read_new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")

    first = getpass.getpass("Password: ")
    if getpass.getpass("Same password again: ") != first:
        raise ValueError("The two passwords differ.")
    return first


def cmd_users_add(args: argparse.Namespace) -> int:
    from bot.core.db import session_scope
    from bot.core.tickets.intake import utcnow
    from bot.dashboard.auth import AccountError, add_user
    from bot.migrate import upgrade

    upgrade()
    try:
        password = read_new_password(args.password_stdin)
        with session_scope() as session:
            add_user(session, args.username, password, args.role, utcnow())
    except (AccountError, ValueError) as problem:
        print(f"Not added: {problem}", file=sys.stderr)
        return 2
    print(f"Added {args.username} ({args.role}). Sign in at /dashboard/.")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from bot.core.db import session_scope
    from bot.core.models import StaffUser

    with session_scope() as session:
        for user in session.scalars(select(StaffUser).order_by(StaffUser.username)):
            state = "" if user.active else "  (disabled)"
            print(f"{user.username:<24} {user.role}{state}")
    return 0


def cmd_users_disable(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from bot.core.db import session_scope
    from bot.core.models import StaffUser
    from bot.dashboard.auth import end_sessions_of

    with session_scope() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == args.username))
        if user is None:
            print(f"No account called {args.username!r}.", file=sys.stderr)
            return 2
        user.active = False
        end_sessions_of(session, user.id)
    print(f"Disabled {args.username}; their sessions are ended.")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    db = commands.add_parser("db", help="database").add_subparsers(dest="action", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db_upgrade)

    users = commands.add_parser("users", help="dashboard accounts").add_subparsers(dest="action", required=True)
    add = users.add_parser("add", help="add a dispatcher or admin (asks for the password)")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=["dispatcher", "admin"])
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(func=cmd_users_add)
    users.add_parser("list", help="every account").set_defaults(func=cmd_users_list)
    disable = users.add_parser("disable", help="lock an account out and end its sessions")
    disable.add_argument("username")
    disable.set_defaults(func=cmd_users_disable)
