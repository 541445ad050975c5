from typing import Literal

WebhookDeliveryResultKey = Literal["webhook_deliveries"]

WEBHOOK_DELIVERY_RESULT_KEY_VALUES: set[WebhookDeliveryResultKey] = {
    "webhook_deliveries",
}


def check_webhook_delivery_result_key(value: str) -> WebhookDeliveryResultKey:
    if value in WEBHOOK_DELIVERY_RESULT_KEY_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {WEBHOOK_DELIVERY_RESULT_KEY_VALUES!r}"
    )
