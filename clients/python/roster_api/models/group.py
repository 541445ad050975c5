from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Group")


@_attrs_define
class Group:
    """A group of an instance.

    Attributes:
        id (str): a positive 64-bit integer, written as a string of digits
        name (str):
        description (None | str):
        external_id (None | str): an identity provider's own ID: 1-255 characters, unique in the instance when set, or
            null
        created_at (datetime.datetime): RFC 3339 in UTC
        updated_at (datetime.datetime): RFC 3339 in UTC
        membership_ids (list[str] | Unset): With `include=memberships`: the group's memberships, sideloaded.
    """

    id: str
    name: str
    description: None | str
    external_id: None | str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    membership_ids: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        description: None | str
        description = self.description

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
                "name": name,
                "description": description,
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

        name = d.pop("name")

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        def _parse_external_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        external_id = _parse_external_id(d.pop("external_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        membership_ids = cast(list[str], d.pop("membership_ids", UNSET))

        group = cls(
            id=id,
            name=name,
            description=description,
            external_id=external_id,
            created_at=created_at,
            updated_at=updated_at,
            membership_ids=membership_ids,
        )

        return group
