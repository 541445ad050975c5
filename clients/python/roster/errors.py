"""Typed errors: one class per status of API.md §7, each with the problems of its body
(type, message, field and, in a bulk, index)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from roster_api.models.error import Error
from roster_api.models.error_type import ErrorType
from roster_api.types import Unset


@dataclass(frozen=True)
class Problem:
    """One entry of `errors`: `field` and `index` are None where they do not apply."""

    type: ErrorType | str
    message: str
    field: str | None = None
    index: int | None = None

    def __str__(self) -> str:
        where = "".join(
            f" ({what} {value})"
            for what, value in (("field", self.field), ("index", self.index))
            if value is not None
        )
        return f"{self.type}: {self.message}{where}"


class RosterError(Exception):
    """An answer other than 2xx. `problems` has at least one entry."""

    status: int

    def __init__(self, status: int, problems: list[Problem], headers: Any = None) -> None:
        self.status = status
        self.problems = problems
        self.headers = headers or {}
        shown = "; ".join(str(p) for p in problems[:3])
        more = f"; and {len(problems) - 3} more" if len(problems) > 3 else ""
        super().__init__(f"{status} {shown}{more}")

    @property
    def problem(self) -> Problem:
        """The first problem (the only one but for a refused bulk)."""
        return self.problems[0]

    @property
    def type(self) -> ErrorType | str:
        return self.problems[0].type


class BadRequest(RosterError):
    """400: a bad query parameter, a body that is not JSON, an unknown include."""


class Unauthorized(RosterError):
    """401: no key, an unknown key or a revoked key."""


class Forbidden(RosterError):
    """403: the key may see the resource but not do this."""


class NotFound(RosterError):
    """404: no such instance or object, or not visible to this key."""


class Conflict(RosterError):
    """409: a request with the same Idempotency-Key is still being processed."""


class PayloadTooLarge(RosterError):
    """413: the body is over the server's limit."""


class Unprocessable(RosterError):
    """422: invalid, missing_reference, duplicate, forbidden_by_policy, too_many or
    idempotency_mismatch; nothing was written."""


class RateLimited(RosterError):
    """429: too many requests; `retry_after` is the server's Retry-After in seconds."""

    @property
    def retry_after(self) -> float | None:
        value = self.headers.get("retry-after")
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None


class ServerError(RosterError):
    """5xx: 503 unavailable (nothing was written) or 500 internal."""


class BulkError(RosterError):
    """A chunk of `Roster.bulk` was refused. Its problems carry indexes into the whole
    list given to `bulk`; `done` holds the envelopes of the chunks written before it
    (each chunk is all or nothing, so these stay written), `cause` the chunk's own error.
    """

    def __init__(self, cause: RosterError, offset: int, done: list[Any]) -> None:
        shifted = [
            Problem(p.type, p.message, p.field, None if p.index is None else p.index + offset)
            for p in cause.problems
        ]
        super().__init__(cause.status, shifted, cause.headers)
        self.cause = cause
        self.offset = offset
        self.done = done


_BY_STATUS: dict[int, type[RosterError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    422: Unprocessable,
    429: RateLimited,
}


def error_from(status: int, content: bytes, headers: Any, parsed: Any = None) -> RosterError:
    """The typed error of an answer: from the generated `Error` when the generator parsed
    one, else from the body as JSON, else a problem saying what came back."""
    problems: list[Problem] = []
    if not isinstance(parsed, Error):
        try:
            parsed = Error.from_dict(json.loads(content))
        except (ValueError, TypeError, KeyError, AttributeError):
            parsed = None
    if isinstance(parsed, Error):
        for e in parsed.errors:
            problems.append(
                Problem(
                    type=e.type_,
                    message=e.message,
                    field=None if isinstance(e.field, Unset) else e.field,
                    index=None if isinstance(e.index, Unset) else e.index,
                )
            )
    if not problems:
        text = content[:200].decode("utf-8", "replace")
        problems.append(Problem(type="internal", message=f"HTTP {status}: {text}"))
    kind = _BY_STATUS.get(status, ServerError if status >= 500 else RosterError)
    return kind(status, problems, headers)
