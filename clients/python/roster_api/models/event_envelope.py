from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.event_map import EventMap
    from ..models.event_meta import EventMeta
    from ..models.event_result import EventResult


T = TypeVar("T", bound="EventEnvelope")


@_attrs_define
class EventEnvelope:
    """A page of the change feed.

    Attributes:
        count (int):
        meta (EventMeta): The feed's `meta`.
        results (list[EventResult]):
        events (EventMap): The events by id.
    """

    count: int
    meta: EventMeta
    results: list[EventResult]
    events: EventMap

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        meta = self.meta.to_dict()

        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        events = self.events.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "count": count,
                "meta": meta,
                "results": results,
                "events": events,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.event_map import EventMap
        from ..models.event_meta import EventMeta
        from ..models.event_result import EventResult

        d = dict(src_dict)
        count = d.pop("count")

        meta = EventMeta.from_dict(d.pop("meta"))

        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = EventResult.from_dict(results_item_data)

            results.append(results_item)

        events = EventMap.from_dict(d.pop("events"))

        event_envelope = cls(
            count=count,
            meta=meta,
            results=results,
            events=events,
        )

        return event_envelope
