"""Where a team's study database lives: a PostgreSQL connection target, never a password.

The project folder records the target (`qualkit.server`, one line: a postgresql:// URL or
a libpq `service=NAME`); the password comes from the coder's own ~/.pgpass (or the file
PGPASSFILE names), a libpq service file, or a prompt, so it never lands in the folder,
in a log or in a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from qualkit.errors import InputError

_URL_SCHEMES = ("postgresql://", "postgres://")


def is_server_target(text: str) -> bool:
    """Whether `text` names a PostgreSQL database (URL or libpq key=value string)."""
    stripped = text.strip()
    return stripped.startswith(_URL_SCHEMES) or (
        "=" in stripped and any(k in stripped for k in ("service=", "dbname=", "host="))
    )


@dataclass(frozen=True)
class Server:
    """A study database on a PostgreSQL server."""

    conninfo: str  # what libpq is given: never holds a password
    display: str  # what messages show
    password: str | None = field(default=None, repr=False, compare=False)

    @classmethod
    def parse(cls, target: str) -> Server:
        """A target as the user typed it; a password in it is used now and never stored."""
        target = target.strip()
        if not is_server_target(target):
            raise InputError(
                f"{target!r} is not a PostgreSQL database. Give a URL such as "
                "postgresql://server.example/studie or a libpq service: service=studie."
            )
        from psycopg import conninfo as libpq  # only when a server is named

        try:
            params = libpq.conninfo_to_dict(target)
        except Exception as exc:  # psycopg's ProgrammingError: libpq could not parse it
            raise InputError(f"Cannot read the database target: {exc}") from None
        password = params.pop("password", None)
        conninfo = libpq.make_conninfo("", **{k: v for k, v in params.items() if v is not None})
        return cls(conninfo, _display(params), None if password is None else str(password))

    def file_text(self) -> str:
        return (
            "# The study database of this project folder (no password: see docs/team.md)\n"
            f"{self.conninfo}\n"
        )

    @classmethod
    def from_file_text(cls, text: str) -> Server:
        lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        if not lines:
            raise InputError("The project's qualkit.server file names no database.")
        return cls.parse(lines[0])


def _display(params: Mapping[str, object]) -> str:
    if params.get("service") and not params.get("host"):
        return f"service {params['service']}"
    host = str(params.get("host") or "localhost")
    if host.startswith("/"):
        host = "localhost"  # a socket folder says nothing useful to a coder
    port = f":{params['port']}" if params.get("port") else ""
    db = params.get("dbname") or params.get("user") or ""
    return f"{host}{port}/{db}"
