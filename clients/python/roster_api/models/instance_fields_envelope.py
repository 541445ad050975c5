from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.instance_fields_map import InstanceFieldsMap
    from ..models.instance_result import InstanceResult
    from ..models.meta import Meta


T = TypeVar("T", bound="InstanceFieldsEnvelope")


@_attrs_define
class InstanceFieldsEnvelope:
    """Kantata-style envelope of instances.
    As answered with `fields=`: the primary objects carry `id` and the fields asked
    for.

        Attributes:
            count (int): The number of matches (of a list: in all pages).
            meta (Meta): The `meta` of every envelope: a create or a read of one object is one page.
            results (list[InstanceResult]): The primary objects, in order.
            instances (InstanceFieldsMap): InstanceFieldss by ID
    """

    count: int
    meta: Meta
    results: list[InstanceResult]
    instances: InstanceFieldsMap

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        meta = self.meta.to_dict()

        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        instances = self.instances.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "count": count,
                "meta": meta,
                "results": results,
                "instances": instances,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.instance_fields_map import InstanceFieldsMap
        from ..models.instance_result import InstanceResult
        from ..models.meta import Meta

        d = dict(src_dict)
        count = d.pop("count")

        meta = Meta.from_dict(d.pop("meta"))

        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = InstanceResult.from_dict(results_item_data)

            results.append(results_item)

        instances = InstanceFieldsMap.from_dict(d.pop("instances"))

        instance_fields_envelope = cls(
            count=count,
            meta=meta,
            results=results,
            instances=instances,
        )

        return instance_fields_envelope
