"""The web chat's ids: issued by the server, unguessable, and recognised without a table.

Whoever holds a chat's id writes as that chat and reads its replies (a dispatcher's answer, a
follow-up), so nobody may choose one or guess another's. An id is a random part and an HMAC of
it under a key derived from the secret key: every application process that shares
HOTLINE_SECRET_KEY (or the data directory's generated key) recognises every other's ids, after
restarts too, with nothing to store or clean up.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from bot.config import derive_token

RANDOM_BYTES = 18  # 144 bits: guessing a live id is hopeless
SIGNATURE_BYTES = 16
# token_urlsafe(18) gives 24 characters; 16 bytes in unpadded base64url give 22.
_SHAPE = re.compile(r"[A-Za-z0-9_-]{24}\.[A-Za-z0-9_-]{22}")


class ChatIds:
    """Issues web-chat ids and recognises those issued under the same secret key."""

    def __init__(self, secret_key: str) -> None:
        # A key of its own, so a signature can never equal a token or pseudonym made elsewhere.
        self._key = derive_token(secret_key, "web-chat-ids").encode()

    def issue(self) -> str:
        random_part = secrets.token_urlsafe(RANDOM_BYTES)
        return f"{random_part}.{self._sign(random_part)}"

    def is_issued(self, chat_id: str) -> bool:
        if not _SHAPE.fullmatch(chat_id):  # also keeps odd input away from the HMAC
            return False
        random_part, _, signature = chat_id.partition(".")
        return hmac.compare_digest(signature, self._sign(random_part))

    def _sign(self, random_part: str) -> str:
        digest = hmac.new(self._key, random_part.encode(), hashlib.sha256).digest()[:SIGNATURE_BYTES]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
