"""Where the current action comes from (IP address, channel), for audit rows.

Set by `RequestContextMiddleware` for web requests and by the CLI for commands, read by
`accounts.audit`. A context variable keeps concurrent requests apart.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    channel: str  # "web", "api", "cli", "system"
    ip: str | None = None
    user_agent: str = ""
    path: str = ""


_SYSTEM = Origin(channel="system")
_current: contextvars.ContextVar[Origin] = contextvars.ContextVar(
    "vetbridge_origin",
    default=_SYSTEM,  # noqa: B039 (Origin is a frozen dataclass)
)


def current_origin() -> Origin:
    return _current.get()


def set_origin(origin: Origin) -> contextvars.Token[Origin]:
    return _current.set(origin)


def reset_origin(token: contextvars.Token[Origin]) -> None:
    _current.reset(token)
