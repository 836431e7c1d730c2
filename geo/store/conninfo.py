"""A team store's connection string, shown without its secrets.

A PostgreSQL URL may carry a password in several forms: ``user:pass@host``, ``?password=``,
either percent-encoded (``?passw%6Frd=``), or a keyword string (``host=... password=...``).
Nothing shown to a visitor, printed by a command or raised in an error may hold any of them, nor
a driver's message that might quote part of the URL: where the URL holds a password, or cannot
be read as a connection string at all, the store is called "the database" and the driver's
message is withheld; elsewhere the message is still scrubbed of the URL's values.
"""

from __future__ import annotations

from urllib.parse import unquote

WITHHELD = (
    "the driver's message is withheld because the URL holds a password or cannot be read; "
    "keep the password in PGPASSWORD or ~/.pgpass instead"
)


def _parts(url: str) -> dict[str, str] | None:
    """The connection string's keywords, or ``None`` when it cannot be read as one."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        return {k: str(v) for k, v in conninfo_to_dict(url).items() if v is not None}
    except Exception:  # noqa: BLE001 - its message may quote the URL: nothing of it is kept
        return None


def has_password(url: str) -> bool:
    """Whether ``url`` may hold a password in any form (an unreadable URL is taken to)."""
    parts = _parts(url)
    if parts is None or parts.get("password"):
        return True
    rest = url.split("://", 1)[-1]
    userinfo = rest.rsplit("@", 1)[0] if "@" in rest else ""
    return ":" in userinfo or "password" in unquote(url).lower()


def redacted(url: str) -> str:
    """What the store is called in messages: ``DBNAME on HOST:PORT``, or "the database"
    where the URL holds a password (its host part may then hold the password's end)."""
    parts = None if has_password(url) else _parts(url)
    if parts is None:
        return "the database"
    host = parts.get("host", "") or "localhost"
    return f"{parts.get('dbname', '') or 'the database'} on {host}:{parts.get('port', '5432')}"


def driver_message(exc: BaseException, url: str) -> str:
    """The first line of the driver's message, unless the URL holds a password (then a
    sentence saying it is withheld); any value of the URL's longer than three characters that
    the message quotes is replaced by ``***``."""
    if has_password(url):
        return WITHHELD
    text = str(exc).strip()
    line = text.splitlines()[0] if text else type(exc).__name__
    for value in sorted(_values(url), key=len, reverse=True):
        line = line.replace(value, "***")
    return line


def _values(url: str) -> set[str]:
    """The URL's values, as written and decoded, that a message must not quote."""
    parts = _parts(url) or {}
    shown = {parts.get("host", ""), parts.get("port", ""), parts.get("dbname", "")}
    query = url.split("?", 1)[1] if "?" in url else ""
    raw = {piece.split("=", 1)[-1] for piece in query.split("&")}
    values = {*raw, *(unquote(v) for v in raw), *parts.values()} - shown
    return {v for v in values if len(v) > 3}


__all__ = ["WITHHELD", "driver_message", "has_password", "redacted"]
