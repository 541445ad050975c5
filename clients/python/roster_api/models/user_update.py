from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.user_changes import UserChanges


T = TypeVar("T", bound="UserUpdate")


@_attrs_define
class UserUpdate:
    """`{"user": {...}}` with the fields to change.

    Attributes:
        user (UserChanges): The fields of a user to change.
    """

    user: UserChanges

    def to_dict(self) -> dict[str, Any]:
        user = self.user.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "user": user,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.user_changes import UserChanges

        d = dict(src_dict)
        user = UserChanges.from_dict(d.pop("user"))

        user_update = cls(
            user=user,
        )

        return user_update
