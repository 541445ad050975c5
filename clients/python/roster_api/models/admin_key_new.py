from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.admin_key_new_role import AdminKeyNewRole, check_admin_key_new_role
from ..types import UNSET, Unset

T = TypeVar("T", bound="AdminKeyNew")


@_attrs_define
class AdminKeyNew:
    """A new admin key: everything inside its instance.

    Attributes:
        role (AdminKeyNewRole):
        description (None | str | Unset):
    """

    role: AdminKeyNewRole
    description: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        role: str = self.role

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "role": role,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        role = check_admin_key_new_role(d.pop("role"))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        admin_key_new = cls(
            role=role,
            description=description,
        )

        return admin_key_new
