"""Encryption at rest for opted-in people's contact details, with the key from `CASEFLOW_DATA_KEY`.

Fernet (AES-128-CBC + HMAC-SHA256, from the `cryptography` package): each value gets its own IV,
so equal phone numbers do not give equal ciphertexts, and tampering is detected. The key is read
once per app; development and tests derive one from SECRET_KEY (as CASEFLOW_CLIENT_KEY is), and
production refuses to start without it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from flask import Flask, current_app

EXTENSION = "caseflow.data_key"


def _fernet_key(value: str) -> bytes:
    """A Fernet key as given (44 url-safe base64 characters), or one derived from any other secret."""
    try:
        raw = base64.urlsafe_b64decode(value.encode())
        if len(raw) == 32 and len(value) == 44:
            return value.encode()
    except ValueError:
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(b"caseflow-data-key:" + value.encode()).digest())


def init_app(app: Flask) -> None:
    key = app.config.get("CASEFLOW_DATA_KEY")
    if not key:
        if app.config["ENV_NAME"] == "production":
            raise RuntimeError("CASEFLOW_DATA_KEY must be set in production; refusing to start.")
        key = hmac.new(app.config["SECRET_KEY"].encode(), b"caseflow-data-key", hashlib.sha256).hexdigest()
    app.extensions[EXTENSION] = Fernet(_fernet_key(key))


def _fernet() -> Fernet:
    return current_app.extensions[EXTENSION]


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken:
        # Another key (a restore without the right CASEFLOW_DATA_KEY): say so, never guess.
        raise RuntimeError("contact details cannot be decrypted with this CASEFLOW_DATA_KEY") from None
