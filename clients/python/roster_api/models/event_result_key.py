from typing import Literal

EventResultKey = Literal["events"]

EVENT_RESULT_KEY_VALUES: set[EventResultKey] = {
    "events",
}


def check_event_result_key(value: str) -> EventResultKey:
    if value in EVENT_RESULT_KEY_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {EVENT_RESULT_KEY_VALUES!r}"
    )
