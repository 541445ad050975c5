from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.webhook_delivery_result_key import (
    WebhookDeliveryResultKey,
    check_webhook_delivery_result_key,
)

T = TypeVar("T", bound="WebhookDeliveryResult")


@_attrs_define
class WebhookDeliveryResult:
    """One of the primary objects, in order: webhook_deliveries

    Attributes:
        key (WebhookDeliveryResultKey):
        id (str): a positive 64-bit integer, written as a string of digits
    """

    key: WebhookDeliveryResultKey
    id: str

    def to_dict(self) -> dict[str, Any]:
        key: str = self.key

        id = self.id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "key": key,
                "id": id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        key = check_webhook_delivery_result_key(d.pop("key"))

        id = d.pop("id")

        webhook_delivery_result = cls(
            key=key,
            id=id,
        )

        return webhook_delivery_result
