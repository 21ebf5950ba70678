"""Encrypted chat handles: the one way back to an anonymous resident who asked for a follow-up (R7).

Only the follow-up can open a handle (it needs the application's secret key, which the caller
gives: Settings.resolved_secret_key()), and it is deleted as soon as the follow-up is over.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet


def _fernet(secret_key: str) -> Fernet:
    key = hashlib.sha256(("followup-handle:" + secret_key).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(sender_ref: str, secret_key: str) -> str:
    return _fernet(secret_key).encrypt(sender_ref.encode()).decode()


def open_handle(handle: str, secret_key: str) -> str:
    return _fernet(secret_key).decrypt(handle.encode()).decode()
