from typing import Literal

StreamEventsSource = Literal["api", "cascade", "cli", "expiry", "import", "scim"]

STREAM_EVENTS_SOURCE_VALUES: set[StreamEventsSource] = {
    "api",
    "cascade",
    "cli",
    "expiry",
    "import",
    "scim",
}


def check_stream_events_source(value: str) -> StreamEventsSource:
    if value in STREAM_EVENTS_SOURCE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {STREAM_EVENTS_SOURCE_VALUES!r}"
    )
