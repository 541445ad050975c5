from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.principal import Principal, check_principal
from ..types import UNSET, Unset

T = TypeVar("T", bound="UserFields")


@_attrs_define
class UserFields:
    """User as an answer to `fields=` has it: `id` and the fields asked for.

    Attributes:
        id (str): a positive 64-bit integer, written as a string of digits
        username (str | Unset):
        name (None | str | Unset):
        email (None | str | Unset):
        avatar_url (None | str | Unset):
        principal (Principal | Unset): A user: `user` (the default) or `service_account`.
        active (bool | Unset): False: the user keeps its memberships, but its user keys are refused (401).
        external_id (None | str | Unset): an identity provider's own ID: 1-255 characters, unique in the instance when
            set, or null
        created_at (datetime.datetime | Unset): RFC 3339 in UTC
        updated_at (datetime.datetime | Unset): RFC 3339 in UTC
        membership_ids (list[str] | Unset): With `include=memberships`: the user's memberships, sideloaded.
    """

    id: str
    username: str | Unset = UNSET
    name: None | str | Unset = UNSET
    email: None | str | Unset = UNSET
    avatar_url: None | str | Unset = UNSET
    principal: Principal | Unset = UNSET
    active: bool | Unset = UNSET
    external_id: None | str | Unset = UNSET
    created_at: datetime.datetime | Unset = UNSET
    updated_at: datetime.datetime | Unset = UNSET
    membership_ids: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        username = self.username

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

        avatar_url: None | str | Unset
        if isinstance(self.avatar_url, Unset):
            avatar_url = UNSET
        else:
            avatar_url = self.avatar_url

        principal: str | Unset = UNSET
        if not isinstance(self.principal, Unset):
            principal = self.principal

        active = self.active

        external_id: None | str | Unset
        if isinstance(self.external_id, Unset):
            external_id = UNSET
        else:
            external_id = self.external_id

        created_at: str | Unset = UNSET
        if not isinstance(self.created_at, Unset):
            created_at = self.created_at.isoformat()

        updated_at: str | Unset = UNSET
        if not isinstance(self.updated_at, Unset):
            updated_at = self.updated_at.isoformat()

        membership_ids: list[str] | Unset = UNSET
        if not isinstance(self.membership_ids, Unset):
            membership_ids = self.membership_ids

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
            }
        )
        if username is not UNSET:
            field_dict["username"] = username
        if name is not UNSET:
            field_dict["name"] = name
        if email is not UNSET:
            field_dict["email"] = email
        if avatar_url is not UNSET:
            field_dict["avatar_url"] = avatar_url
        if principal is not UNSET:
            field_dict["principal"] = principal
        if active is not UNSET:
            field_dict["active"] = active
        if external_id is not UNSET:
            field_dict["external_id"] = external_id
        if created_at is not UNSET:
            field_dict["created_at"] = created_at
        if updated_at is not UNSET:
            field_dict["updated_at"] = updated_at
        if membership_ids is not UNSET:
            field_dict["membership_ids"] = membership_ids

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        username = d.pop("username", UNSET)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))

        def _parse_avatar_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        avatar_url = _parse_avatar_url(d.pop("avatar_url", UNSET))

        _principal = d.pop("principal", UNSET)
        principal: Principal | Unset
        if isinstance(_principal, Unset):
            principal = UNSET
        else:
            principal = check_principal(_principal)

        active = d.pop("active", UNSET)

        def _parse_external_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        external_id = _parse_external_id(d.pop("external_id", UNSET))

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

        membership_ids = cast(list[str], d.pop("membership_ids", UNSET))

        user_fields = cls(
            id=id,
            username=username,
            name=name,
            email=email,
            avatar_url=avatar_url,
            principal=principal,
            active=active,
            external_id=external_id,
            created_at=created_at,
            updated_at=updated_at,
            membership_ids=membership_ids,
        )

        return user_fields
