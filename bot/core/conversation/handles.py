"""Encrypted chat handles: the one way back to an anonymous resident who asked for a follow-up (R7).

Only the follow-up can open a handle (it needs the application's secret key), and it is deleted
as soon as the follow-up is over.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet

from bot.config import get_settings


def _fernet() -> Fernet:
    key = hashlib.sha256(("followup-handle:" + get_settings().resolved_secret_key()).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(sender_ref: str) -> str:
    return _fernet().encrypt(sender_ref.encode()).decode()


def open_handle(handle: str) -> str:
    return _fernet().decrypt(handle.encode()).decode()
