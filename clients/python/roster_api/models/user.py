from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.principal import Principal, check_principal
from ..types import UNSET, Unset

T = TypeVar("T", bound="User")


@_attrs_define
class User:
    """A person or service account of an instance.

    Attributes:
        id (str): a positive 64-bit integer, written as a string of digits
        username (str):
        name (None | str):
        email (None | str):
        avatar_url (None | str):
        principal (Principal): A user: `user` (the default) or `service_account`.
        active (bool): False: the user keeps its memberships, but its user keys are refused (401).
        external_id (None | str): an identity provider's own ID: 1-255 characters, unique in the instance when set, or
            null
        created_at (datetime.datetime): RFC 3339 in UTC
        updated_at (datetime.datetime): RFC 3339 in UTC
        membership_ids (list[str] | Unset): With `include=memberships`: the user's memberships, sideloaded.
    """

    id: str
    username: str
    name: None | str
    email: None | str
    avatar_url: None | str
    principal: Principal
    active: bool
    external_id: None | str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    membership_ids: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        username = self.username

        name: None | str
        name = self.name

        email: None | str
        email = self.email

        avatar_url: None | str
        avatar_url = self.avatar_url

        principal: str = self.principal

        active = self.active

        external_id: None | str
        external_id = self.external_id

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        membership_ids: list[str] | Unset = UNSET
        if not isinstance(self.membership_ids, Unset):
            membership_ids = self.membership_ids

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "username": username,
                "name": name,
                "email": email,
                "avatar_url": avatar_url,
                "principal": principal,
                "active": active,
                "external_id": external_id,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if membership_ids is not UNSET:
            field_dict["membership_ids"] = membership_ids

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        username = d.pop("username")

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        def _parse_email(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        email = _parse_email(d.pop("email"))

        def _parse_avatar_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        avatar_url = _parse_avatar_url(d.pop("avatar_url"))

        principal = check_principal(d.pop("principal"))

        active = d.pop("active")

        def _parse_external_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        external_id = _parse_external_id(d.pop("external_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        membership_ids = cast(list[str], d.pop("membership_ids", UNSET))

        user = cls(
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

        return user
