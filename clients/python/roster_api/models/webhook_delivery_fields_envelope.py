from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.meta import Meta
    from ..models.webhook_delivery_fields_map import WebhookDeliveryFieldsMap
    from ..models.webhook_delivery_result import WebhookDeliveryResult


T = TypeVar("T", bound="WebhookDeliveryFieldsEnvelope")


@_attrs_define
class WebhookDeliveryFieldsEnvelope:
    """Kantata-style envelope of a webhook endpoint's delivery attempts.
    As answered with `fields=`: the primary objects carry `id` and the fields asked
    for.

        Attributes:
            count (int): The number of matches (of a list: in all pages).
            meta (Meta): The `meta` of every envelope: a create or a read of one object is one page.
            results (list[WebhookDeliveryResult]): The primary objects, in order.
            webhook_deliveries (WebhookDeliveryFieldsMap): WebhookDeliveryFieldss by ID
    """

    count: int
    meta: Meta
    results: list[WebhookDeliveryResult]
    webhook_deliveries: WebhookDeliveryFieldsMap

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        meta = self.meta.to_dict()

        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        webhook_deliveries = self.webhook_deliveries.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "count": count,
                "meta": meta,
                "results": results,
                "webhook_deliveries": webhook_deliveries,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.meta import Meta
        from ..models.webhook_delivery_fields_map import WebhookDeliveryFieldsMap
        from ..models.webhook_delivery_result import WebhookDeliveryResult

        d = dict(src_dict)
        count = d.pop("count")

        meta = Meta.from_dict(d.pop("meta"))

        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = WebhookDeliveryResult.from_dict(results_item_data)

            results.append(results_item)

        webhook_deliveries = WebhookDeliveryFieldsMap.from_dict(
            d.pop("webhook_deliveries")
        )

        webhook_delivery_fields_envelope = cls(
            count=count,
            meta=meta,
            results=results,
            webhook_deliveries=webhook_deliveries,
        )

        return webhook_delivery_fields_envelope
