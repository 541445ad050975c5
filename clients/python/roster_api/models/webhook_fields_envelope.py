from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.meta import Meta
    from ..models.webhook_fields_map import WebhookFieldsMap
    from ..models.webhook_result import WebhookResult


T = TypeVar("T", bound="WebhookFieldsEnvelope")


@_attrs_define
class WebhookFieldsEnvelope:
    """Kantata-style envelope of webhook endpoints.
    As answered with `fields=`: the primary objects carry `id` and the fields asked
    for.

        Attributes:
            count (int): The number of matches (of a list: in all pages).
            meta (Meta): The `meta` of every envelope: a create or a read of one object is one page.
            results (list[WebhookResult]): The primary objects, in order.
            webhooks (WebhookFieldsMap): WebhookFieldss by ID
    """

    count: int
    meta: Meta
    results: list[WebhookResult]
    webhooks: WebhookFieldsMap

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
        from ..models.webhook_fields_map import WebhookFieldsMap
        from ..models.webhook_result import WebhookResult

        d = dict(src_dict)
        count = d.pop("count")

        meta = Meta.from_dict(d.pop("meta"))

        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = WebhookResult.from_dict(results_item_data)

            results.append(results_item)

        webhooks = WebhookFieldsMap.from_dict(d.pop("webhooks"))

        webhook_fields_envelope = cls(
            count=count,
            meta=meta,
            results=results,
            webhooks=webhooks,
        )

        return webhook_fields_envelope
