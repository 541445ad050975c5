from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.role import Role, check_role
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.configurable_permissions import ConfigurablePermissions


T = TypeVar("T", bound="MembershipFields")


@_attrs_define
class MembershipFields:
    """Membership as an answer to `fields=` has it: `id` and the fields asked for.

    Attributes:
        id (str): a positive 64-bit integer, written as a string of digits
        user_id (str | Unset): a positive 64-bit integer, written as a string of digits
        group_id (str | Unset): a positive 64-bit integer, written as a string of digits
        role (Role | Unset): A membership's role: `member` (the default) or `admin`.
        configurable_permissions (ConfigurablePermissions | None | Unset):
        created_at (datetime.datetime | Unset): RFC 3339 in UTC
        updated_at (datetime.datetime | Unset): RFC 3339 in UTC
    """

    id: str
    user_id: str | Unset = UNSET
    group_id: str | Unset = UNSET
    role: Role | Unset = UNSET
    configurable_permissions: ConfigurablePermissions | None | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    updated_at: datetime.datetime | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.configurable_permissions import ConfigurablePermissions

        id = self.id

        user_id = self.user_id

        group_id = self.group_id

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role

        configurable_permissions: dict[str, Any] | None | Unset
        if isinstance(self.configurable_permissions, Unset):
            configurable_permissions = UNSET
        elif isinstance(self.configurable_permissions, ConfigurablePermissions):
            configurable_permissions = self.configurable_permissions.to_dict()
        else:
            configurable_permissions = self.configurable_permissions

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        updated_at: str | Unset = UNSET
        if not isinstance(self.updated_at, Unset):
            updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
            }
        )
        if user_id is not UNSET:
            field_dict["user_id"] = user_id
        if group_id is not UNSET:
            field_dict["group_id"] = group_id
        if role is not UNSET:
            field_dict["role"] = role
        if configurable_permissions is not UNSET:
            field_dict["configurable_permissions"] = configurable_permissions
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.configurable_permissions import ConfigurablePermissions

        d = dict(src_dict)
        id = d.pop("id")

        user_id = d.pop("user_id", UNSET)

        group_id = d.pop("group_id", UNSET)

        _role = d.pop("role", UNSET)
        role: Role | Unset
        if isinstance(_role, Unset):
            role = UNSET
        else:
            role = check_role(_role)

        def _parse_configurable_permissions(
            data: object,
        ) -> ConfigurablePermissions | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                configurable_permissions_type_0 = ConfigurablePermissions.from_dict(
                    data
                )

                return configurable_permissions_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ConfigurablePermissions | None | Unset, data)

        configurable_permissions = _parse_configurable_permissions(
            d.pop("configurable_permissions", UNSET)
        )

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        _updated_at = d.pop("updated_at", UNSET)
        updated_at: datetime.datetime | Unset
        if isinstance(_updated_at, Unset):
            updated_at = UNSET
        else:
            updated_at = datetime.datetime.fromisoformat(_updated_at)

        membership_fields = cls(
            id=id,
            user_id=user_id,
            group_id=group_id,
            role=role,
            configurable_permissions=configurable_permissions,
            created_at=created_at,
            updated_at=updated_at,
        )

        return membership_fields
