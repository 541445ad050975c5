from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="Barrier")


@_attrs_define
class Barrier:
    """An information barrier: two groups no user may be in at once.

    Attributes:
        id (str): a positive 64-bit integer, written as a string of digits
        group_ids (list[str]):
        description (None | str):
        created_at (datetime.datetime): RFC 3339 in UTC
    """

    id: str
    group_ids: list[str]
    description: None | str
    created_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        group_ids = self.group_ids

        description: None | str
        description = self.description

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "group_ids": group_ids,
                "description": description,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        group_ids = cast(list[str], d.pop("group_ids"))

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        barrier = cls(
            id=id,
            group_ids=group_ids,
            description=description,
            created_at=created_at,
        )

        return barrier
