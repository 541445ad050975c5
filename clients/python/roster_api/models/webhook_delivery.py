from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="WebhookDelivery")


@_attrs_define
class WebhookDelivery:
    """One delivery attempt of an event to an endpoint.

    Attributes:
        id (str): a positive 64-bit integer, written as a string of digits
        webhook_id (str): a positive 64-bit integer, written as a string of digits
        event_id (str): a positive 64-bit integer, written as a string of digits
        attempt (int): 1 for the event's first attempt, one more for each retry.
        status_code (int | None): The receiver's status; null when it did not answer.
        duration_ms (int):
        error (None | str): Why the attempt failed; null for a 2xx.
        next_retry_at (datetime.datetime | None):
        created_at (datetime.datetime): RFC 3339 in UTC
    """

    id: str
    webhook_id: str
    event_id: str
    attempt: int
    status_code: int | None
    duration_ms: int
    error: None | str
    next_retry_at: datetime.datetime | None
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        webhook_id = self.webhook_id

        event_id = self.event_id

        attempt = self.attempt

        status_code: int | None
        status_code = self.status_code

        duration_ms = self.duration_ms

        error: None | str
        error = self.error

        next_retry_at: None | str
        if isinstance(self.next_retry_at, datetime.datetime):
            next_retry_at = self.next_retry_at.isoformat()
        else:
            next_retry_at = self.next_retry_at

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "webhook_id": webhook_id,
                "event_id": event_id,
                "attempt": attempt,
                "status_code": status_code,
                "duration_ms": duration_ms,
                "error": error,
                "next_retry_at": next_retry_at,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        webhook_id = d.pop("webhook_id")

        event_id = d.pop("event_id")

        attempt = d.pop("attempt")

        def _parse_status_code(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        status_code = _parse_status_code(d.pop("status_code"))

        duration_ms = d.pop("duration_ms")

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        def _parse_next_retry_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_retry_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_retry_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_retry_at = _parse_next_retry_at(d.pop("next_retry_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        webhook_delivery = cls(
            id=id,
            webhook_id=webhook_id,
            event_id=event_id,
            attempt=attempt,
            status_code=status_code,
            duration_ms=duration_ms,
            error=error,
            next_retry_at=next_retry_at,
            created_at=created_at,
        )

        return webhook_delivery
