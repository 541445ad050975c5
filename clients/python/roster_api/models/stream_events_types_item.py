from typing import Literal

StreamEventsTypesItem = Literal[
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

STREAM_EVENTS_TYPES_ITEM_VALUES: set[StreamEventsTypesItem] = {
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


def check_stream_events_types_item(value: str) -> StreamEventsTypesItem:
    if value in STREAM_EVENTS_TYPES_ITEM_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {STREAM_EVENTS_TYPES_ITEM_VALUES!r}"
    )
