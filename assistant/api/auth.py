"""Bearer API keys with roles and grants, and per-key rate limiting.

ASSISTANT_API_KEYS is a comma-separated list of `key:role` entries (role `reader` or `admin`; admin may
do what a reader may). An entry may give the key's SHA-256 instead of the key, `sha256:<64 hex>:role`,
so a file or secret store never has to hold the key itself (`assistant api-key` makes both forms).
Only hashes are kept in memory; a presented key is hashed and looked up.

Restricted documents need a grant on the key: `key:reader+restricted` (or `admin+restricted`, in either
form). Without it a key, admin included, never sees them (assistant/access.py); the role says what a key
may do, the grant what it may read.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import re
import secrets
import time
from dataclasses import dataclass

ROLES = ("reader", "admin")
GRANTS = ("restricted",)
_GRANTS = {"reader": {"reader"}, "admin": {"reader", "admin"}}
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


class KeyConfigError(ValueError):
    """ASSISTANT_API_KEYS is malformed; the message says which entry and why (never the key)."""


@dataclass(frozen=True)
class Principal:
    key_id: str  # first 12 hex digits of the key's hash: safe to log, used for rate limiting
    role: str
    anonymous: bool = False
    restricted: bool = False  # the key carries the `+restricted` grant

    def can(self, role: str) -> bool:
        return role in _GRANTS[self.role]

    @property
    def access(self):
        """What this caller may read, for the service (assistant/access.py)."""
        from assistant.access import access_for

        return access_for(self.restricted)


@dataclass(frozen=True)
class KeyEntry:
    role: str
    restricted: bool = False


def parse_role(text: str, n: int) -> KeyEntry:
    """`reader`, `admin`, `reader+restricted`, `admin+restricted` -> KeyEntry; anything else is refused."""
    role, *grants = [p.strip().lower() for p in text.split("+")]
    if role not in ROLES:
        raise KeyConfigError(f"ASSISTANT_API_KEYS entry {n + 1} has role {role!r}; use reader or admin")
    unknown = [g for g in grants if g not in GRANTS]
    if unknown:
        raise KeyConfigError(f"ASSISTANT_API_KEYS entry {n + 1} has grant {unknown[0]!r}; the only grant is "
                             f"'+restricted'")
    return KeyEntry(role, "restricted" in grants)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def parse_keys(raw: str | None) -> dict[str, KeyEntry]:
    """`key1:reader,key2:admin+restricted,sha256:<hex>:reader` -> {sha256 hex: KeyEntry}. Empty/None -> {}."""
    keys: dict[str, KeyEntry] = {}
    for n, entry in enumerate(e.strip() for e in re.split(r"[,\n]", raw or "")):
        if not entry:
            continue
        key, sep, role = entry.rpartition(":")
        if not sep or not key:
            raise KeyConfigError(f"ASSISTANT_API_KEYS entry {n + 1} is not 'key:role' (role reader or admin)")
        entry_role = parse_role(role, n)
        if key.startswith("sha256:") and _HEX64.match(key[7:]):
            digest = key[7:].lower()
        else:
            digest = hash_key(key.strip())
        keys[digest] = entry_role
    return keys


def new_key() -> str:
    return secrets.token_urlsafe(32)


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost'; any other name counts as not loopback."""
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class KeyRing:
    def __init__(self, raw: str | None):
        self._keys = parse_keys(raw)

    @property
    def enabled(self) -> bool:
        return bool(self._keys)

    def identify(self, token: str) -> Principal | None:
        digest = hash_key(token)
        entry = self._keys.get(digest)
        return Principal(digest[:12], entry.role, restricted=entry.restricted) if entry else None


class RateLimiter:
    """A moving window of `per_minute` requests per key (the `limits` library, in-process memory).

    Each server process counts for itself: with N workers a key gets at most N x the limit.
    """

    def __init__(self, per_minute: int):
        from limits import RateLimitItemPerMinute
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        self.enabled = per_minute > 0
        self._item = RateLimitItemPerMinute(max(per_minute, 1))
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, key: str) -> int | None:
        """Count one request; None if allowed, else the seconds to wait (Retry-After)."""
        if not self.enabled or self._limiter.hit(self._item, key):
            return None
        stats = self._limiter.get_window_stats(self._item, key)
        return max(1, math.ceil(stats.reset_time - time.time()))
