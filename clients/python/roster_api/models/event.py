from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.event_source import EventSource, check_event_source
from ..models.event_type import EventType, check_event_type

if TYPE_CHECKING:
    from ..models.event_actor import EventActor
    from ..models.event_data import EventData
    from ..models.event_previous_type_0 import EventPreviousType0


T = TypeVar("T", bound="Event")


@_attrs_define
class Event:
    """One committed change.

    Attributes:
        id (str): a positive 64-bit integer, written as a string of digits
        type_ (EventType):
        object_id (str): a positive 64-bit integer, written as a string of digits
        data (EventData): The object as the API shows it, after the change (before it, for deleted and
            expired).
        previous (EventPreviousType0 | None): The old values of the fields an update changed.
        actor (EventActor): Who made a change.
        source (EventSource):
        request_id (None | str):
        occurred_at (datetime.datetime):
    """

    id: str
    type_: EventType
    object_id: str
    data: EventData
    previous: EventPreviousType0 | None
    actor: EventActor
    source: EventSource
    request_id: None | str
    occurred_at: datetime.datetime

    def to_dict(self) -> dict[str, Any]:
        from ..models.event_previous_type_0 import EventPreviousType0

        id = self.id

        type_: str = self.type_

        object_id = self.object_id

        data = self.data.to_dict()

        previous: dict[str, Any] | None
        if isinstance(self.previous, EventPreviousType0):
            previous = self.previous.to_dict()
        else:
            previous = self.previous

        actor = self.actor.to_dict()

        source: str = self.source

        request_id: None | str
        request_id = self.request_id

        occurred_at = self.occurred_at.isoformat()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "type": type_,
                "object_id": object_id,
                "data": data,
                "previous": previous,
                "actor": actor,
                "source": source,
                "request_id": request_id,
                "occurred_at": occurred_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.event_actor import EventActor
        from ..models.event_data import EventData
        from ..models.event_previous_type_0 import EventPreviousType0

        d = dict(src_dict)
        id = d.pop("id")

        type_ = check_event_type(d.pop("type"))

        object_id = d.pop("object_id")

        data = EventData.from_dict(d.pop("data"))

        def _parse_previous(data: object) -> EventPreviousType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                previous_type_0 = EventPreviousType0.from_dict(data)

                return previous_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EventPreviousType0 | None, data)

        previous = _parse_previous(d.pop("previous"))

        actor = EventActor.from_dict(d.pop("actor"))

        source = check_event_source(d.pop("source"))

        def _parse_request_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        request_id = _parse_request_id(d.pop("request_id"))

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        event = cls(
            id=id,
            type_=type_,
            object_id=object_id,
            data=data,
            previous=previous,
            actor=actor,
            source=source,
            request_id=request_id,
            occurred_at=occurred_at,
        )

        return event
