from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="EventMeta")


@_attrs_define
class EventMeta:
    """The feed's `meta`.

    Attributes:
        count (int):
        next_after (str):
    """

    count: int
    next_after: str

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        next_after = self.next_after

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "count": count,
                "next_after": next_after,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        count = d.pop("count")

        next_after = d.pop("next_after")

        event_meta = cls(
            count=count,
            next_after=next_after,
        )

        return event_meta
