from typing import Literal

ListEventsTypesItem = Literal[
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

LIST_EVENTS_TYPES_ITEM_VALUES: set[ListEventsTypesItem] = {
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


def check_list_events_types_item(value: str) -> ListEventsTypesItem:
    if value in LIST_EVENTS_TYPES_ITEM_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LIST_EVENTS_TYPES_ITEM_VALUES!r}"
    )
