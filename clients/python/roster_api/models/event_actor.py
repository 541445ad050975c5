from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.event_actor_kind import EventActorKind, check_event_actor_kind

T = TypeVar("T", bound="EventActor")


@_attrs_define
class EventActor:
    """Who made a change.

    Attributes:
        kind (EventActorKind):
        key_id (None | str):
        user_id (None | str):
    """

    kind: EventActorKind
    key_id: None | str
    user_id: None | str

    def to_dict(self) -> dict[str, Any]:
        kind: str = self.kind

        key_id: None | str
        key_id = self.key_id

        user_id: None | str
        user_id = self.user_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "kind": kind,
                "key_id": key_id,
                "user_id": user_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        kind = check_event_actor_kind(d.pop("kind"))

        def _parse_key_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        key_id = _parse_key_id(d.pop("key_id"))

        def _parse_user_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        user_id = _parse_user_id(d.pop("user_id"))

        event_actor = cls(
            kind=kind,
            key_id=key_id,
            user_id=user_id,
        )

        return event_actor
