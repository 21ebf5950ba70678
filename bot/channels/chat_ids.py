"""The web chat's ids: issued by the server, unguessable, and checked on every request.

Whoever holds a chat's id writes as that chat and reads its replies (a dispatcher's answer, a
follow-up), so nobody may pick one or guess another's. An id is a random nonce and an HMAC of
it under a key derived from the secret key: every application process sharing
HOTLINE_SECRET_KEY (or the data directory's generated key) recognises every other's ids, after
restarts too, with no table to keep or clean up.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from bot.config import derive_token

NONCE_BYTES = 18  # 144 random bits
SIGNATURE_BYTES = 16
# token_urlsafe(18) is 24 characters; 16 bytes of signature in unpadded base64url are 22.
_SHAPE = re.compile(r"[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{22}")


class ChatIds:
    """Issues web-chat ids and recognises the ones it (or a process with the same key) issued."""

    def __init__(self, secret_key: str) -> None:
        # A key of its own, so an id's signature can equal no other token or pseudonym.
        self._key = derive_token(secret_key, "web-chat-ids").encode()

    def issue(self) -> str:
        nonce = secrets.token_urlsafe(NONCE_BYTES)
        return f"{nonce}.{self._sign(nonce)}"

    def is_issued(self, chat_id: str) -> bool:
        if not _SHAPE.fullmatch(chat_id):  # also keeps odd characters away from the HMAC
            return False
        nonce, _, signature = chat_id.partition(".")
        return hmac.compare_digest(signature.encode(), self._sign(nonce).encode())

    def _sign(self, nonce: str) -> str:
        digest = hmac.new(self._key, nonce.encode(), hashlib.sha256).digest()[:SIGNATURE_BYTES]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
