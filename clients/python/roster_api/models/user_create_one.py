from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.user_new import UserNew


T = TypeVar("T", bound="UserCreateOne")


@_attrs_define
class UserCreateOne:
    """`{"user": {...}}`: one user.

    Attributes:
        user (UserNew): A new user (`api::users`).
    """

    user: UserNew

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
        from ..models.user_new import UserNew

        d = dict(src_dict)
        user = UserNew.from_dict(d.pop("user"))

        user_create_one = cls(
            user=user,
        )

        return user_create_one
