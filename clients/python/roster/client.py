"""`Roster`: the generated client (`roster_api`) with what every script writes on top of
it, once: answers or typed errors, cursor pages to the end, and bulks of any size sent as
requests of 100 labelled with `Idempotency-Key`s, so that a script killed half way can be
run again and creates nothing twice."""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Self

import attrs
import httpx

from roster_api.client import AuthenticatedClient
from roster_api.models.error import Error
from roster_api.types import UNSET, Response, Unset

from .errors import BulkError, Conflict, RateLimited, RosterError, ServerError, error_from

#: The most objects one request may carry (API.md §4).
MAX_BULK = 100

#: Answers worth the same request again, after a pause: the same Idempotency-Key is
#: still running (409), too many requests (429), the database is unreachable (503).
_RETRY_STATUSES = {409, 429, 503}


def _ok(response: Response[Any]) -> Any:
    """The parsed answer of a 2xx, else its typed error."""
    status = int(response.status_code)
    if 200 <= status < 300:
        if isinstance(response.parsed, Error):  # pragma: no cover - a 2xx is never one
            raise error_from(status, response.content, response.headers, response.parsed)
        return response.parsed
    raise error_from(status, response.content, response.headers, response.parsed)


def objects(envelope: Any) -> list[Any]:
    """The primary objects of an envelope, in the order of `results`."""
    out = []
    for ref in envelope.results:
        out.append(getattr(envelope, ref.key)[ref.id])
    return out


class Roster:
    """A Roster server and the key to call it with.

    `call`, `pages`, `each` and `bulk` take an operation of the generated client (its
    `sync_detailed`, e.g. `roster_api.api.users.list_users.sync_detailed`) and that
    operation's own keyword arguments, so every parameter stays typed as generated.
    """

    def __init__(
        self,
        base_url: str,
        key: str,
        *,
        timeout: float = 30.0,
        retries: int = 5,
        **httpx_args: Any,
    ) -> None:
        self.client = AuthenticatedClient(
            base_url=base_url.rstrip("/"),
            token=key,
            timeout=httpx.Timeout(timeout),
            httpx_args=httpx_args,
        )
        self.retries = retries

    def close(self) -> None:
        self.client.get_httpx_client().close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def call(self, operation: Callable[..., Response[Any]], /, **kwargs: Any) -> Any:
        """One request: its parsed answer (None for a 204), or a `RosterError`."""
        return _ok(operation(client=self.client, **kwargs))

    def _retried(self, operation: Callable[..., Response[Any]], kwargs: dict[str, Any]) -> Any:
        """One request that may be sent again: a read, or a write with an Idempotency-Key.
        429, 503, 409 and lost connections are tried again with exponential backoff and
        jitter (honouring Retry-After), up to `retries` more times."""
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                return self.call(operation, **kwargs)
            except (RateLimited, Conflict, ServerError) as e:
                if last or e.status not in _RETRY_STATUSES:
                    raise
                wait = e.retry_after if isinstance(e, RateLimited) else None
            except httpx.TransportError:
                if last:
                    raise
                wait = None
            time.sleep(
                wait if wait is not None else min(30.0, 0.2 * 2**attempt) * (0.5 + random.random())
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def pages(self, operation: Callable[..., Response[Any]], /, **kwargs: Any) -> Iterator[Any]:
        """Every page of a list, from the first (or from `cursor=`) to the last, by
        `meta.next_cursor`: the same cost at any depth, in the list's `order`."""
        if not isinstance(kwargs.get("page", UNSET), Unset):
            raise TypeError("pages() follows the cursor: leave page out")
        cursor = kwargs.pop("cursor", UNSET)
        while True:
            envelope = self._retried(operation, dict(kwargs, cursor=cursor))
            yield envelope
            cursor = envelope.meta.next_cursor
            if cursor is None or isinstance(cursor, Unset):
                return

    def each(self, operation: Callable[..., Response[Any]], /, **kwargs: Any) -> Iterator[Any]:
        """Every primary object of a list, in order, page after page."""
        for envelope in self.pages(operation, **kwargs):
            yield from objects(envelope)

    def bulk(
        self,
        operation: Callable[..., Response[Any]],
        body: type[Any],
        items: Sequence[Any],
        /,
        *,
        key: str | None = None,
        size: int = MAX_BULK,
        **kwargs: Any,
    ) -> list[Any]:
        """Creates any number of objects, `size` (at most 100) a request, each request all
        or nothing: `body` is the operation's bulk body (`UserCreateBulk`, ...), `items`
        its objects (`UserNew`, ...). Returns the envelopes in order.

        Each request carries the Idempotency-Key `<key>-<n>-<digest of its objects>`, with
        `key` by default derived from the operation and its arguments. So the same call
        made again (after a crash, a timeout, a refused request fixed) replays the
        requests that were written and sends the others. A refused request raises
        `BulkError`, whose problems index into `items` and whose `done` holds what the
        requests before it wrote. The server keeps keys for 24 hours: give `key` (a run's
        name) to create the same objects again within them.
        """
        if not 1 <= size <= MAX_BULK:
            raise ValueError(f"size must be 1 to {MAX_BULK}")
        (plural,) = (f.name for f in attrs.fields(body) if f.name != "additional_properties")
        if key is None:
            key = "bulk-" + _digest(operation, kwargs)
        done: list[Any] = []
        for n, start in enumerate(range(0, len(items), size)):
            chunk = list(items[start : start + size])
            label = f"{key}-{n}-{_digest(None, {'items': chunk})[:16]}"
            request = dict(kwargs, body=body(**{plural: chunk}), idempotency_key=label)
            try:
                done.append(self._retried(operation, request))
            except RosterError as e:
                raise BulkError(e, start, done) from e
        return done


def _digest(operation: Callable[..., Any] | None, kwargs: dict[str, Any]) -> str:
    def plain(value: Any) -> Any:
        if hasattr(value, "to_dict"):
            return value.to_dict()
        if isinstance(value, Unset):
            return None
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value

    what = {
        "operation": operation and f"{operation.__module__}.{operation.__qualname__}",
        "arguments": {k: plain(v) for k, v in sorted(kwargs.items())},
    }
    text = json.dumps(what, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]
