from typing import Literal

EventType = Literal[
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

EVENT_TYPE_VALUES: set[EventType] = {
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


def check_event_type(value: str) -> EventType:
    if value in EVENT_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {EVENT_TYPE_VALUES!r}"
    )
