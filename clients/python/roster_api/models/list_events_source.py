from typing import Literal

ListEventsSource = Literal["api", "cascade", "cli", "expiry", "import", "scim"]

LIST_EVENTS_SOURCE_VALUES: set[ListEventsSource] = {
    "api",
    "cascade",
    "cli",
    "expiry",
    "import",
    "scim",
}


def check_list_events_source(value: str) -> ListEventsSource:
    if value in LIST_EVENTS_SOURCE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LIST_EVENTS_SOURCE_VALUES!r}"
    )
