from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.group_result_key import GroupResultKey, check_group_result_key

T = TypeVar("T", bound="GroupResult")


@_attrs_define
class GroupResult:
    """One of the primary objects, in order: groups

    Attributes:
        key (GroupResultKey):
        id (str): a positive 64-bit integer, written as a string of digits
    """

    key: GroupResultKey
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
        key = check_group_result_key(d.pop("key"))

        id = d.pop("id")

        group_result = cls(
            key=key,
            id=id,
        )

        return group_result
