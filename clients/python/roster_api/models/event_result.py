from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.event_result_key import EventResultKey, check_event_result_key

T = TypeVar("T", bound="EventResult")


@_attrs_define
class EventResult:
    """One of the events, in order.

    Attributes:
        key (EventResultKey):
        id (str): a positive 64-bit integer, written as a string of digits
    """

    key: EventResultKey
    id: str

    def to_dict(self) -> dict[str, Any]:
        key: str = self.key

        id = self.id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "key": key,
                "id": id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        key = check_event_result_key(d.pop("key"))

        id = d.pop("id")

        event_result = cls(
            key=key,
            id=id,
        )

        return event_result
