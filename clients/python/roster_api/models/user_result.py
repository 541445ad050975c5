from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.user_result_key import UserResultKey, check_user_result_key

T = TypeVar("T", bound="UserResult")


@_attrs_define
class UserResult:
    """One of the primary objects, in order: users

    Attributes:
        key (UserResultKey):
        id (str): a positive 64-bit integer, written as a string of digits
    """

    key: UserResultKey
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
        key = check_user_result_key(d.pop("key"))

        id = d.pop("id")

        user_result = cls(
            key=key,
            id=id,
        )

        return user_result
