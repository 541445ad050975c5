from typing import Literal

WebhookOrder = Literal[
    "created_at",
    "created_at:asc",
    "created_at:desc",
    "id",
    "id:asc",
    "id:desc",
    "updated_at",
    "updated_at:asc",
    "updated_at:desc",
]

WEBHOOK_ORDER_VALUES: set[WebhookOrder] = {
    "created_at",
    "created_at:asc",
    "created_at:desc",
    "id",
    "id:asc",
    "id:desc",
    "updated_at",
    "updated_at:asc",
    "updated_at:desc",
}


def check_webhook_order(value: str) -> WebhookOrder:
    if value in WEBHOOK_ORDER_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {WEBHOOK_ORDER_VALUES!r}"
    )
