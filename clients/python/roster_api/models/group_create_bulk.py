from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.group_new import GroupNew


T = TypeVar("T", bound="GroupCreateBulk")


@_attrs_define
class GroupCreateBulk:
    """`{"groups": [{...}, ...]}`: 1 to 100 groups, all or nothing.

    Attributes:
        groups (list[GroupNew]):
    """

    groups: list[GroupNew]

    def to_dict(self) -> dict[str, Any]:
        groups = []
        for groups_item_data in self.groups:
            groups_item = groups_item_data.to_dict()
            groups.append(groups_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "groups": groups,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.group_new import GroupNew

        d = dict(src_dict)
        groups = []
        _groups = d.pop("groups")
        for groups_item_data in _groups:
            groups_item = GroupNew.from_dict(groups_item_data)

            groups.append(groups_item)

        group_create_bulk = cls(
            groups=groups,
        )

        return group_create_bulk
