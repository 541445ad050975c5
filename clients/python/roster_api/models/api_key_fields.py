from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.key_role import KeyRole, check_key_role
from ..types import UNSET, Unset

T = TypeVar("T", bound="ApiKeyFields")


@_attrs_define
class ApiKeyFields:
    """ApiKey as an answer to `fields=` has it: `id` and the fields asked for.

    Attributes:
        id (str): a positive 64-bit integer, written as a string of digits
        role (KeyRole | Unset): What an API key may do: `admin` (everything in its instance) or `user` (act as its
            user).
        user_id (None | str | Unset):
        description (None | str | Unset):
        prefix (str | Unset): The first 8 characters of the key.
        created_at (datetime.datetime | Unset): RFC 3339 in UTC
        revoked_at (datetime.datetime | None | Unset):
        key (str | Unset): The secret: only in the create response, shown once.
    """

    id: str
    role: KeyRole | Unset = UNSET
    user_id: None | str | Unset = UNSET
    description: None | str | Unset = UNSET
    prefix: str | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    revoked_at: datetime.datetime | None | Unset = UNSET
    key: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role

        user_id: None | str | Unset
        if isinstance(self.user_id, Unset):
            user_id = UNSET
        else:
            user_id = self.user_id

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        prefix = self.prefix

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        revoked_at: None | str | Unset
        if isinstance(self.revoked_at, Unset):
            revoked_at = UNSET
        elif isinstance(self.revoked_at, datetime.datetime):
            revoked_at = self.revoked_at.isoformat()
        else:
            revoked_at = self.revoked_at

        key = self.key

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
            }
        )
        if role is not UNSET:
            field_dict["role"] = role
        if user_id is not UNSET:
            field_dict["user_id"] = user_id
        if description is not UNSET:
            field_dict["description"] = description
        if prefix is not UNSET:
            field_dict["prefix"] = prefix
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if revoked_at is not UNSET:
            field_dict["revoked_at"] = revoked_at
        if key is not UNSET:
            field_dict["key"] = key

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        _role = d.pop("role", UNSET)
        role: KeyRole | Unset
        if isinstance(_role, Unset):
            role = UNSET
        else:
            role = check_key_role(_role)

        def _parse_user_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        user_id = _parse_user_id(d.pop("user_id", UNSET))

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        prefix = d.pop("prefix", UNSET)

        _created_at = d.pop("created_at", UNSET)
        created_at: datetime.datetime | Unset
        if isinstance(_created_at, Unset):
            created_at = UNSET
        else:
            created_at = datetime.datetime.fromisoformat(_created_at)

        def _parse_revoked_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                revoked_at_type_0 = datetime.datetime.fromisoformat(data)

                return revoked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        revoked_at = _parse_revoked_at(d.pop("revoked_at", UNSET))

        key = d.pop("key", UNSET)

        api_key_fields = cls(
            id=id,
            role=role,
            user_id=user_id,
            description=description,
            prefix=prefix,
            created_at=created_at,
            revoked_at=revoked_at,
            key=key,
        )

        return api_key_fields
