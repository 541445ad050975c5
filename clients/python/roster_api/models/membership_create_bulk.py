from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.membership_new import MembershipNew


T = TypeVar("T", bound="MembershipCreateBulk")


@_attrs_define
class MembershipCreateBulk:
    """`{"memberships": [{...}, ...]}`: 1 to 100 memberships, all or nothing.

    Attributes:
        memberships (list[MembershipNew]):
    """

    memberships: list[MembershipNew]

    def to_dict(self) -> dict[str, Any]:
        memberships = []
        for memberships_item_data in self.memberships:
            memberships_item = memberships_item_data.to_dict()
            memberships.append(memberships_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "memberships": memberships,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.membership_new import MembershipNew

        d = dict(src_dict)
        memberships = []
        _memberships = d.pop("memberships")
        for memberships_item_data in _memberships:
            memberships_item = MembershipNew.from_dict(memberships_item_data)

            memberships.append(memberships_item)

        membership_create_bulk = cls(
            memberships=memberships,
        )

        return membership_create_bulk
