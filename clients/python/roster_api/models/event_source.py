from typing import Literal

EventSource = Literal["api", "cascade", "cli", "expiry", "import", "scim"]

EVENT_SOURCE_VALUES: set[EventSource] = {
    "api",
    "cascade",
    "cli",
    "expiry",
    "import",
    "scim",
}


def check_event_source(value: str) -> EventSource:
    if value in EVENT_SOURCE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {EVENT_SOURCE_VALUES!r}"
    )
