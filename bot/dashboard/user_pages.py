"""The admins' list of staff accounts (accounts are added and disabled with `hotline users`)."""

from __future__ import annotations

from sqlalchemy import select
from starlette.responses import Response
from starlette.routing import Route

from bot.core.models import StaffUser
from bot.dashboard.guard import ADMINS, Guard, Visit
from bot.dashboard.views import AccountView, plain_all


def user_routes(guard: Guard) -> list[Route]:
    return [Route("/users", guard(ADMINS, users))]


def users(visit: Visit) -> Response:
    accounts = plain_all(AccountView, visit.session.scalars(select(StaffUser).order_by(StaffUser.username)))
    return visit.render("users.html", accounts=accounts)
