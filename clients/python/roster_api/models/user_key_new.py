from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.user_key_new_role import UserKeyNewRole, check_user_key_new_role
from ..types import UNSET, Unset

T = TypeVar("T", bound="UserKeyNew")


@_attrs_define
class UserKeyNew:
    """A new user key: acts as its user (API.md §6).

    Attributes:
        role (UserKeyNewRole):
        user_id (int | str): an ID, as a string or as a number
        description (None | str | Unset):
    """

    role: UserKeyNewRole
    user_id: int | str
    description: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        role: str = self.role

        user_id: int | str
        user_id = self.user_id

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "role": role,
                "user_id": user_id,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        role = check_user_key_new_role(d.pop("role"))

        def _parse_user_id(data: object) -> int | str:
            return cast(int | str, data)

        user_id = _parse_user_id(d.pop("user_id"))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        user_key_new = cls(
            role=role,
            user_id=user_id,
            description=description,
        )

        return user_key_new
