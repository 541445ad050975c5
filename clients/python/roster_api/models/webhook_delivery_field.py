from typing import Literal

WebhookDeliveryField = Literal[
    "attempt",
    "created_at",
    "duration_ms",
    "error",
    "event_id",
    "next_retry_at",
    "status_code",
    "webhook_id",
]

WEBHOOK_DELIVERY_FIELD_VALUES: set[WebhookDeliveryField] = {
    "attempt",
    "created_at",
    "duration_ms",
    "error",
    "event_id",
    "next_retry_at",
    "status_code",
    "webhook_id",
}


def check_webhook_delivery_field(value: str) -> WebhookDeliveryField:
    if value in WEBHOOK_DELIVERY_FIELD_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {WEBHOOK_DELIVERY_FIELD_VALUES!r}"
    )
