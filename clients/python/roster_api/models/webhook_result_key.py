from typing import Literal

WebhookResultKey = Literal["webhooks"]

WEBHOOK_RESULT_KEY_VALUES: set[WebhookResultKey] = {
    "webhooks",
}


def check_webhook_result_key(value: str) -> WebhookResultKey:
    if value in WEBHOOK_RESULT_KEY_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {WEBHOOK_RESULT_KEY_VALUES!r}"
    )
