from typing import Literal

WebhookDeliveryOrder = Literal[
    "created_at", "created_at:asc", "created_at:desc", "id", "id:asc", "id:desc"
]

WEBHOOK_DELIVERY_ORDER_VALUES: set[WebhookDeliveryOrder] = {
    "created_at",
    "created_at:asc",
    "created_at:desc",
    "id",
    "id:asc",
    "id:desc",
}


def check_webhook_delivery_order(value: str) -> WebhookDeliveryOrder:
    if value in WEBHOOK_DELIVERY_ORDER_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {WEBHOOK_DELIVERY_ORDER_VALUES!r}"
    )
