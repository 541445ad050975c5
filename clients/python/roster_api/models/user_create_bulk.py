from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.user_new import UserNew


T = TypeVar("T", bound="UserCreateBulk")


@_attrs_define
class UserCreateBulk:
    """`{"users": [{...}, ...]}`: 1 to 100 users, all or nothing.

    Attributes:
        users (list[UserNew]):
    """

    users: list[UserNew]

    def to_dict(self) -> dict[str, Any]:
        users = []
        for users_item_data in self.users:
            users_item = users_item_data.to_dict()
            users.append(users_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "users": users,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.user_new import UserNew

        d = dict(src_dict)
        users = []
        _users = d.pop("users")
        for users_item_data in _users:
            users_item = UserNew.from_dict(users_item_data)

            users.append(users_item)

        user_create_bulk = cls(
            users=users,
        )

        return user_create_bulk
