from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.barrier_map import BarrierMap
    from ..models.barrier_result import BarrierResult
    from ..models.meta import Meta


T = TypeVar("T", bound="BarrierEnvelope")


@_attrs_define
class BarrierEnvelope:
    """Kantata-style envelope of barriers.

    Attributes:
        count (int): The number of matches (of a list: in all pages).
        meta (Meta): The `meta` of every envelope: a create or a read of one object is one page.
        results (list[BarrierResult]): The primary objects, in order.
        barriers (BarrierMap): Barriers by ID
    """

    count: int
    meta: Meta
    results: list[BarrierResult]
    barriers: BarrierMap

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        meta = self.meta.to_dict()

        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        barriers = self.barriers.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "count": count,
                "meta": meta,
                "results": results,
                "barriers": barriers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.barrier_map import BarrierMap
        from ..models.barrier_result import BarrierResult
        from ..models.meta import Meta

        d = dict(src_dict)
        count = d.pop("count")

        meta = Meta.from_dict(d.pop("meta"))

        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = BarrierResult.from_dict(results_item_data)

            results.append(results_item)

        barriers = BarrierMap.from_dict(d.pop("barriers"))

        barrier_envelope = cls(
            count=count,
            meta=meta,
            results=results,
            barriers=barriers,
        )

        return barrier_envelope
