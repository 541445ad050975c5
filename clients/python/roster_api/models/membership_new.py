from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.role import Role, check_role
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.configurable_permissions import ConfigurablePermissions


T = TypeVar("T", bound="MembershipNew")


@_attrs_define
class MembershipNew:
    """A new membership (`api::memberships`, `api::plain_memberships`).

    Attributes:
        user_id (int | str): an ID, as a string or as a number
        group_id (int | str): an ID, as a string or as a number
        role (Role | Unset): A membership's role: `member` (the default) or `admin`.
        configurable_permissions (ConfigurablePermissions | None | Unset):
    """

    user_id: int | str
    group_id: int | str
    role: Role | Unset = UNSET
    configurable_permissions: ConfigurablePermissions | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.configurable_permissions import ConfigurablePermissions

        user_id: int | str
        user_id = self.user_id

        group_id: int | str
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

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "user_id": user_id,
                "group_id": group_id,
            }
        )
        if role is not UNSET:
            field_dict["role"] = role
        if configurable_permissions is not UNSET:
            field_dict["configurable_permissions"] = configurable_permissions

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.configurable_permissions import ConfigurablePermissions

        d = dict(src_dict)

        def _parse_user_id(data: object) -> int | str:
            return cast(int | str, data)

        user_id = _parse_user_id(d.pop("user_id"))

        def _parse_group_id(data: object) -> int | str:
            return cast(int | str, data)

        group_id = _parse_group_id(d.pop("group_id"))

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

        membership_new = cls(
            user_id=user_id,
            group_id=group_id,
            role=role,
            configurable_permissions=configurable_permissions,
        )

        return membership_new
