from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.principal import Principal, check_principal
from ..types import UNSET, Unset

T = TypeVar("T", bound="UserChanges")


@_attrs_define
class UserChanges:
    """The fields of a user to change.

    Attributes:
        username (str | Unset): 1-150 characters, each . @ + - _ or a letter or digit of any script (Unicode Alphabetic
            or Numeric, as Rust's char::is_alphanumeric has them: the pattern lists them all); unique in the instance
        name (None | str | Unset):
        email (None | str | Unset): a valid e-mail address of at most 254 bytes, or null
        avatar_url (None | str | Unset): an http(s) URL with a host, of at most 2048 bytes, or null
        principal (Principal | Unset): A user: `user` (the default) or `service_account`.
        active (bool | Unset): False: the user keeps its memberships, but its user keys are refused (401) until
            it is active again.
        external_id (None | str | Unset): an identity provider's own ID: 1-255 characters, unique in the instance when
            set, or null
    """

    username: str | Unset = UNSET
    name: None | str | Unset = UNSET
    email: None | str | Unset = UNSET
    avatar_url: None | str | Unset = UNSET
    principal: Principal | Unset = UNSET
    active: bool | Unset = UNSET
    external_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
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

        field_dict: dict[str, Any] = {}

        field_dict.update({})
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

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
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

        user_changes = cls(
            username=username,
            name=name,
            email=email,
            avatar_url=avatar_url,
            principal=principal,
            active=active,
            external_id=external_id,
        )

        return user_changes
