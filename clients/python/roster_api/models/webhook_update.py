from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.webhook_changes import WebhookChanges


T = TypeVar("T", bound="WebhookUpdate")


@_attrs_define
class WebhookUpdate:
    """`{"webhook": {...}}` with the fields to change.

    Attributes:
        webhook (WebhookChanges): The fields of an endpoint to change.
    """

    webhook: WebhookChanges

    def to_dict(self) -> dict[str, Any]:
        webhook = self.webhook.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "webhook": webhook,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.webhook_changes import WebhookChanges

        d = dict(src_dict)
        webhook = WebhookChanges.from_dict(d.pop("webhook"))

        webhook_update = cls(
            webhook=webhook,
        )

        return webhook_update
