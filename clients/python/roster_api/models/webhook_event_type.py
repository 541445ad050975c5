from typing import Literal

WebhookEventType = Literal[
    "api_key.created",
    "api_key.deleted",
    "api_key.revoked",
    "api_key.updated",
    "barrier.created",
    "barrier.deleted",
    "barrier.updated",
    "group.created",
    "group.deleted",
    "group.updated",
    "instance.updated",
    "membership.created",
    "membership.deleted",
    "membership.expired",
    "membership.updated",
    "user.created",
    "user.deleted",
    "user.updated",
]

WEBHOOK_EVENT_TYPE_VALUES: set[WebhookEventType] = {
    "api_key.created",
    "api_key.deleted",
    "api_key.revoked",
    "api_key.updated",
    "barrier.created",
    "barrier.deleted",
    "barrier.updated",
    "group.created",
    "group.deleted",
    "group.updated",
    "instance.updated",
    "membership.created",
    "membership.deleted",
    "membership.expired",
    "membership.updated",
    "user.created",
    "user.deleted",
    "user.updated",
}


def check_webhook_event_type(value: str) -> WebhookEventType:
    if value in WEBHOOK_EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {WEBHOOK_EVENT_TYPE_VALUES!r}"
    )
