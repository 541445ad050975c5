from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.group_changes import GroupChanges


T = TypeVar("T", bound="GroupUpdate")


@_attrs_define
class GroupUpdate:
    """`{"group": {...}}` with the fields to change.

    Attributes:
        group (GroupChanges): The fields of a group to change.
    """

    group: GroupChanges

    def to_dict(self) -> dict[str, Any]:
        group = self.group.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "group": group,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.group_changes import GroupChanges

        d = dict(src_dict)
        group = GroupChanges.from_dict(d.pop("group"))

        group_update = cls(
            group=group,
        )

        return group_update
