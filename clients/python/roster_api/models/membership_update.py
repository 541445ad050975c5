from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.membership_changes import MembershipChanges


T = TypeVar("T", bound="MembershipUpdate")


@_attrs_define
class MembershipUpdate:
    """`{"membership": {...}}` with the fields to change.

    Attributes:
        membership (MembershipChanges): The fields of a membership to change; `user_id` and `group_id` cannot change.
    """

    membership: MembershipChanges

    def to_dict(self) -> dict[str, Any]:
        membership = self.membership.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "membership": membership,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.membership_changes import MembershipChanges

        d = dict(src_dict)
        membership = MembershipChanges.from_dict(d.pop("membership"))

        membership_update = cls(
            membership=membership,
        )

        return membership_update
