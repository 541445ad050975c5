from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.meta import Meta
    from ..models.webhook_map import WebhookMap
    from ..models.webhook_result import WebhookResult


T = TypeVar("T", bound="WebhookEnvelope")


@_attrs_define
class WebhookEnvelope:
    """Kantata-style envelope of webhook endpoints.

    Attributes:
        count (int): The number of matches (of a list: in all pages).
        meta (Meta): The `meta` of every envelope: a create or a read of one object is one page.
        results (list[WebhookResult]): The primary objects, in order.
        webhooks (WebhookMap): Webhooks by ID
    """

    count: int
    meta: Meta
    results: list[WebhookResult]
    webhooks: WebhookMap

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        meta = self.meta.to_dict()

        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        webhooks = self.webhooks.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "count": count,
                "meta": meta,
                "results": results,
                "webhooks": webhooks,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.meta import Meta
        from ..models.webhook_map import WebhookMap
        from ..models.webhook_result import WebhookResult

        d = dict(src_dict)
        count = d.pop("count")

        meta = Meta.from_dict(d.pop("meta"))

        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = WebhookResult.from_dict(results_item_data)

            results.append(results_item)

        webhooks = WebhookMap.from_dict(d.pop("webhooks"))

        webhook_envelope = cls(
            count=count,
            meta=meta,
            results=results,
            webhooks=webhooks,
        )

        return webhook_envelope
