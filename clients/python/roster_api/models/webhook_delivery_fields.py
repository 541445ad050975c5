from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookDeliveryFields")


@_attrs_define
class WebhookDeliveryFields:
    """WebhookDelivery as an answer to `fields=` has it: `id` and the fields asked for.

    Attributes:
        id (str): a positive 64-bit integer, written as a string of digits
        webhook_id (str | Unset): a positive 64-bit integer, written as a string of digits
        event_id (str | Unset): a positive 64-bit integer, written as a string of digits
        attempt (int | Unset): 1 for the event's first attempt, one more for each retry.
        status_code (int | None | Unset): The receiver's status; null when it did not answer.
        duration_ms (int | Unset):
        error (None | str | Unset): Why the attempt failed; null for a 2xx.
        next_retry_at (datetime.datetime | None | Unset):
        created_at (datetime.datetime | Unset): RFC 3339 in UTC
    """

    id: str
    webhook_id: str | Unset = UNSET
    event_id: str | Unset = UNSET
    attempt: int | Unset = UNSET
    status_code: int | None | Unset = UNSET
    duration_ms: int | Unset = UNSET
    error: None | str | Unset = UNSET
    next_retry_at: datetime.datetime | None | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        webhook_id = self.webhook_id

        event_id = self.event_id

        attempt = self.attempt

        status_code: int | None | Unset
        if isinstance(self.status_code, Unset):
            status_code = UNSET
        else:
            status_code = self.status_code

        duration_ms = self.duration_ms

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        next_retry_at: None | str | Unset
        if isinstance(self.next_retry_at, Unset):
            next_retry_at = UNSET
        elif isinstance(self.next_retry_at, datetime.datetime):
            next_retry_at = self.next_retry_at.isoformat()
        else:
            next_retry_at = self.next_retry_at

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
            }
        )
        if webhook_id is not UNSET:
            field_dict["webhook_id"] = webhook_id
        if event_id is not UNSET:
            field_dict["event_id"] = event_id
        if attempt is not UNSET:
            field_dict["attempt"] = attempt
        if status_code is not UNSET:
            field_dict["status_code"] = status_code
        if duration_ms is not UNSET:
            field_dict["duration_ms"] = duration_ms
        if error is not UNSET:
            field_dict["error"] = error
        if next_retry_at is not UNSET:
            field_dict["next_retry_at"] = next_retry_at
        if created_at is not UNSET:
            field_dict["created_at"] = created_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        webhook_id = d.pop("webhook_id", UNSET)

        event_id = d.pop("event_id", UNSET)

        attempt = d.pop("attempt", UNSET)

        def _parse_status_code(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        status_code = _parse_status_code(d.pop("status_code", UNSET))

        duration_ms = d.pop("duration_ms", UNSET)

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        def _parse_next_retry_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_retry_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_retry_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        next_retry_at = _parse_next_retry_at(d.pop("next_retry_at", UNSET))

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        webhook_delivery_fields = cls(
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

        return webhook_delivery_fields
