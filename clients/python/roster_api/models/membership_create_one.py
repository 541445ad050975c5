from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.membership_new import MembershipNew


T = TypeVar("T", bound="MembershipCreateOne")


@_attrs_define
class MembershipCreateOne:
    """`{"membership": {...}}`: one membership.

    Attributes:
        membership (MembershipNew): A new membership (`api::memberships`, `api::plain_memberships`).
    """

    membership: MembershipNew

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
        from ..models.membership_new import MembershipNew

        d = dict(src_dict)
        membership = MembershipNew.from_dict(d.pop("membership"))

        membership_create_one = cls(
            membership=membership,
        )

        return membership_create_one
