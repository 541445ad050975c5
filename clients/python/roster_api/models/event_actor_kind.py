from typing import Literal

EventActorKind = Literal["account", "admin", "system", "user"]

EVENT_ACTOR_KIND_VALUES: set[EventActorKind] = {
    "account",
    "admin",
    "system",
    "user",
}


def check_event_actor_kind(value: str) -> EventActorKind:
    if value in EVENT_ACTOR_KIND_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {EVENT_ACTOR_KIND_VALUES!r}"
    )
