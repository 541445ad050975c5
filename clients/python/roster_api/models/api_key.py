from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.key_role import KeyRole, check_key_role
from ..types import UNSET, Unset

T = TypeVar("T", bound="ApiKey")


@_attrs_define
class ApiKey:
    """An API key of an instance, never with its secret but in its create response.

    Attributes:
        id (str): a positive 64-bit integer, written as a string of digits
        role (KeyRole): What an API key may do: `admin` (everything in its instance) or `user` (act as its
            user).
        user_id (None | str):
        description (None | str):
        prefix (str): The first 8 characters of the key.
        created_at (datetime.datetime): RFC 3339 in UTC
        revoked_at (datetime.datetime | None):
        key (str | Unset): The secret: only in the create response, shown once.
    """

    id: str
    role: KeyRole
    user_id: None | str
    description: None | str
    prefix: str
    created_at: datetime.datetime
    revoked_at: datetime.datetime | None
    key: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        role: str = self.role

        user_id: None | str
        user_id = self.user_id

        description: None | str
        description = self.description

        prefix = self.prefix

        created_at = self.created_at.isoformat()

        revoked_at: None | str
        if isinstance(self.revoked_at, datetime.datetime):
            revoked_at = self.revoked_at.isoformat()
        else:
            revoked_at = self.revoked_at

        key = self.key

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "role": role,
                "user_id": user_id,
                "description": description,
                "prefix": prefix,
                "created_at": created_at,
                "revoked_at": revoked_at,
            }
        )
        if key is not UNSET:
            field_dict["key"] = key

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        role = check_key_role(d.pop("role"))

        def _parse_user_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        user_id = _parse_user_id(d.pop("user_id"))

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        prefix = d.pop("prefix")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_revoked_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                revoked_at_type_0 = datetime.datetime.fromisoformat(data)

                return revoked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        revoked_at = _parse_revoked_at(d.pop("revoked_at"))

        key = d.pop("key", UNSET)

        api_key = cls(
            id=id,
            role=role,
            user_id=user_id,
            description=description,
            prefix=prefix,
            created_at=created_at,
            revoked_at=revoked_at,
            key=key,
        )

        return api_key
