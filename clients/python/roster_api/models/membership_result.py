from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.membership_result_key import (
    MembershipResultKey,
    check_membership_result_key,
)

T = TypeVar("T", bound="MembershipResult")


@_attrs_define
class MembershipResult:
    """One of the primary objects, in order: memberships

    Attributes:
        key (MembershipResultKey):
        id (str): a positive 64-bit integer, written as a string of digits
    """

    key: MembershipResultKey
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
        key = check_membership_result_key(d.pop("key"))

        id = d.pop("id")

        membership_result = cls(
            key=key,
            id=id,
        )

        return membership_result
