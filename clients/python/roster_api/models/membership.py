from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.role import Role, check_role

if TYPE_CHECKING:
    from ..models.configurable_permissions import ConfigurablePermissions


T = TypeVar("T", bound="Membership")


@_attrs_define
class Membership:
    """A user's membership of a group.

    Attributes:
        id (str): a positive 64-bit integer, written as a string of digits
        user_id (str): a positive 64-bit integer, written as a string of digits
        group_id (str): a positive 64-bit integer, written as a string of digits
        role (Role): A membership's role: `member` (the default) or `admin`.
        configurable_permissions (ConfigurablePermissions | None):
        created_at (datetime.datetime): RFC 3339 in UTC
        updated_at (datetime.datetime): RFC 3339 in UTC
    """

    id: str
    user_id: str
    group_id: str
    role: Role
    configurable_permissions: ConfigurablePermissions | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        from ..models.configurable_permissions import ConfigurablePermissions

        id = self.id

        user_id = self.user_id

        group_id = self.group_id

        role: str = self.role

        configurable_permissions: dict[str, Any] | None
        if isinstance(self.configurable_permissions, ConfigurablePermissions):
            configurable_permissions = self.configurable_permissions.to_dict()
        else:
            configurable_permissions = self.configurable_permissions

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "user_id": user_id,
                "group_id": group_id,
                "role": role,
                "configurable_permissions": configurable_permissions,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.configurable_permissions import ConfigurablePermissions

        d = dict(src_dict)
        id = d.pop("id")

        user_id = d.pop("user_id")

        group_id = d.pop("group_id")

        role = check_role(d.pop("role"))

        def _parse_configurable_permissions(
            data: object,
        ) -> ConfigurablePermissions | None:
            if data is None:
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
            return cast(ConfigurablePermissions | None, data)

        configurable_permissions = _parse_configurable_permissions(
            d.pop("configurable_permissions")
        )

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        membership = cls(
            id=id,
            user_id=user_id,
            group_id=group_id,
            role=role,
            configurable_permissions=configurable_permissions,
            created_at=created_at,
            updated_at=updated_at,
        )

        return membership
