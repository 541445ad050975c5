from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.api_key_map import ApiKeyMap
    from ..models.api_key_result import ApiKeyResult
    from ..models.meta import Meta


T = TypeVar("T", bound="ApiKeyEnvelope")


@_attrs_define
class ApiKeyEnvelope:
    """Kantata-style envelope of API keys.

    Attributes:
        count (int): The number of matches (of a list: in all pages).
        meta (Meta): The `meta` of every envelope: a create or a read of one object is one page.
        results (list[ApiKeyResult]): The primary objects, in order.
        api_keys (ApiKeyMap): ApiKeys by ID
    """

    count: int
    meta: Meta
    results: list[ApiKeyResult]
    api_keys: ApiKeyMap

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        meta = self.meta.to_dict()

        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        api_keys = self.api_keys.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "count": count,
                "meta": meta,
                "results": results,
                "api_keys": api_keys,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.api_key_map import ApiKeyMap
        from ..models.api_key_result import ApiKeyResult
        from ..models.meta import Meta

        d = dict(src_dict)
        count = d.pop("count")

        meta = Meta.from_dict(d.pop("meta"))

        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = ApiKeyResult.from_dict(results_item_data)

            results.append(results_item)

        api_keys = ApiKeyMap.from_dict(d.pop("api_keys"))

        api_key_envelope = cls(
            count=count,
            meta=meta,
            results=results,
            api_keys=api_keys,
        )

        return api_key_envelope
