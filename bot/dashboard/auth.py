"""Staff accounts, sign-in with Argon2id, server-side sessions and the brake on password guessing."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.core.models import LoginFailure, StaffSession, StaffUser
from bot.teaching.texts import Explained

ROLES = ("dispatcher", "admin")
MIN_PASSWORD_CHARS = 10
MAX_USERNAME_CHARS = 64
# Argon2id with the library's current defaults (RFC 9106 "low memory" profile).
_hasher = PasswordHasher(type=Type.ID)
# Verified against when the account does not exist, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class AccountError(Explained, ValueError):
    """A staff account could not be created or changed; the message (an "account.*" text of the
    catalogs) says why."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def add_user(session: Session, username: str, password: str, role: str, now: datetime) -> StaffUser:
    username = username.strip()
    if not username or len(username) > MAX_USERNAME_CHARS or any(c.isspace() for c in username):
        raise AccountError("account.bad_username", limit=MAX_USERNAME_CHARS)
    if role not in ROLES:
        raise AccountError("account.bad_role", roles=", ".join(ROLES))
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError("account.short_password", limit=MIN_PASSWORD_CHARS)
    if session.scalar(select(StaffUser.id).where(StaffUser.username == username)) is not None:
        raise AccountError("account.taken", username=repr(username))
    user = StaffUser(username=username, password_hash=hash_password(password), role=role, created_at=now)
    session.add(user)
    session.flush()
    return user


def check_password(session: Session, username: str, password: str) -> StaffUser | None:
    user = session.scalar(select(StaffUser).where(StaffUser.username == username, StaffUser.active.is_(True)))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user


# -- throttling -------------------------------------------------------------------------------


# Two brakes, each counting failures within the lockout window, neither of which a stranger can
# turn against a dispatcher who signs in from elsewhere:
# - one address guessing one account waits after `max_failures`: the stranger's guesses make
#   only the stranger's address wait, not the dispatcher's;
# - one address waits after CLIENT_FACTOR times as many over all accounts, so it cannot try
#   many accounts instead. A whole control room may sign in from one address, hence the factor.
# No brake counts an account's failures from all addresses together: that is the lever by which
# anyone could lock a dispatcher out for as long as they keep failing. Guessing spread over many
# addresses is slowed by each address's own brake, Argon2id and 10-character passwords instead.
CLIENT_FACTOR = 4


def locked_out(
    session: Session, username: str, client: str, now: datetime, max_failures: int, window: timedelta
) -> bool:
    """Too many recent failures of this account from this client, or from this client in all:
    refuse without checking the password."""
    username, client = username[:MAX_USERNAME_CHARS], client[:64]  # as record_failure keeps them
    since = now - window
    brakes = (
        ((LoginFailure.username == username, LoginFailure.client == client), max_failures),
        ((LoginFailure.client == client,), max_failures * CLIENT_FACTOR),
    )
    for conditions, limit in brakes:
        count = session.scalar(select(func.count()).where(*conditions, LoginFailure.at >= since))
        if (count or 0) >= limit:
            return True
    return False


def record_failure(session: Session, username: str, client: str, now: datetime, window: timedelta) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - window))  # keep the table small
    session.add(LoginFailure(username=username[:MAX_USERNAME_CHARS], client=client[:64], at=now))


def clear_failures(session: Session, username: str, client: str | None = None) -> None:
    """After a good sign-in: forget the account's failures from this address (from every
    address when none is given), so a stranger elsewhere does not get a fresh set of guesses."""
    conditions = [LoginFailure.username == username]
    if client is not None:
        conditions.append(LoginFailure.client == client[:64])
    session.execute(delete(LoginFailure).where(*conditions))


# -- sessions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    """Who is behind a request, as the pages need it."""

    user_id: int
    username: str
    role: str
    csrf_token: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, user: StaffUser, now: datetime, previous_token: str | None) -> str:
    """A new session with a fresh token (rotated at every sign-in); returns the cookie's token."""
    if previous_token:
        end_session(session, previous_token)
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=_digest(token),
            csrf_token=secrets.token_urlsafe(32),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
        )
    )
    return token


def resume_session(session: Session, token: str, now: datetime, idle: timedelta) -> SignedIn | None:
    """The signed-in user of a cookie, or None when unknown, idle too long or deactivated."""
    stored = session.scalar(select(StaffSession).where(StaffSession.token_hash == _digest(token)))
    if stored is None:
        return None
    if now - stored.last_seen_at > idle or not stored.user.active:
        session.delete(stored)
        return None
    stored.last_seen_at = now
    return SignedIn(stored.user.id, stored.user.username, stored.user.role, stored.csrf_token)


def end_session(session: Session, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.token_hash == _digest(token)))


def end_idle_sessions(session: Session, now: datetime, idle: timedelta) -> None:
    session.execute(delete(StaffSession).where(StaffSession.last_seen_at < now - idle))


def end_sessions_of(session: Session, user_id: int) -> None:
    session.execute(delete(StaffSession).where(StaffSession.user_id == user_id))
