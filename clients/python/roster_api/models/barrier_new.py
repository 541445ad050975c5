from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="BarrierNew")


@_attrs_define
class BarrierNew:
    """A new information barrier (`api::barriers`).

    Attributes:
        group_ids (list[int | str]):
        description (None | str | Unset):
    """

    group_ids: list[int | str]
    description: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        group_ids = []
        for group_ids_item_data in self.group_ids:
            group_ids_item: int | str
            group_ids_item = group_ids_item_data
            group_ids.append(group_ids_item)

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "group_ids": group_ids,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        group_ids = []
        _group_ids = d.pop("group_ids")
        for group_ids_item_data in _group_ids:

            def _parse_group_ids_item(data: object) -> int | str:
                return cast(int | str, data)

            group_ids_item = _parse_group_ids_item(group_ids_item_data)

            group_ids.append(group_ids_item)

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        barrier_new = cls(
            group_ids=group_ids,
            description=description,
        )

        return barrier_new
