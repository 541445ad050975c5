from typing import Literal

WebhookField = Literal[
    "created_at",
    "delivered_through",
    "description",
    "disabled_reason",
    "enabled",
    "failing_since",
    "next_attempt_at",
    "types",
    "updated_at",
    "url",
]

WEBHOOK_FIELD_VALUES: set[WebhookField] = {
    "created_at",
    "delivered_through",
    "description",
    "disabled_reason",
    "enabled",
    "failing_since",
    "next_attempt_at",
    "types",
    "updated_at",
    "url",
}


def check_webhook_field(value: str) -> WebhookField:
    if value in WEBHOOK_FIELD_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {WEBHOOK_FIELD_VALUES!r}"
    )
