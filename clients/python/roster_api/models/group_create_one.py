from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.group_new import GroupNew


T = TypeVar("T", bound="GroupCreateOne")


@_attrs_define
class GroupCreateOne:
    """`{"group": {...}}`: one group.

    Attributes:
        group (GroupNew): A new group (`api::groups`).
    """

    group: GroupNew

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
        from ..models.group_new import GroupNew

        d = dict(src_dict)
        group = GroupNew.from_dict(d.pop("group"))

        group_create_one = cls(
            group=group,
        )

        return group_create_one
