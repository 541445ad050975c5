from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.admin_key_new import AdminKeyNew
    from ..models.user_key_new import UserKeyNew


T = TypeVar("T", bound="ApiKeyCreate")


@_attrs_define
class ApiKeyCreate:
    """`{"api_key": {...}}`.

    Attributes:
        api_key (AdminKeyNew | UserKeyNew): A new API key (`api::keys`): an admin key, or a user key bound to one user.
    """

    api_key: AdminKeyNew | UserKeyNew

    def to_dict(self) -> dict[str, Any]:
        from ..models.admin_key_new import AdminKeyNew

        api_key: dict[str, Any]
        if isinstance(self.api_key, AdminKeyNew):
            api_key = self.api_key.to_dict()
        else:
            api_key = self.api_key.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "api_key": api_key,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.admin_key_new import AdminKeyNew
        from ..models.user_key_new import UserKeyNew

        d = dict(src_dict)

        def _parse_api_key(data: object) -> AdminKeyNew | UserKeyNew:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_api_key_new_type_0 = AdminKeyNew.from_dict(data)

                return componentsschemas_api_key_new_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            componentsschemas_api_key_new_type_1 = UserKeyNew.from_dict(data)

            return componentsschemas_api_key_new_type_1

        api_key = _parse_api_key(d.pop("api_key"))

        api_key_create = cls(
            api_key=api_key,
        )

        return api_key_create
