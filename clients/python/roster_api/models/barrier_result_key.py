from typing import Literal

BarrierResultKey = Literal["barriers"]

BARRIER_RESULT_KEY_VALUES: set[BarrierResultKey] = {
    "barriers",
}


def check_barrier_result_key(value: str) -> BarrierResultKey:
    if value in BARRIER_RESULT_KEY_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {BARRIER_RESULT_KEY_VALUES!r}"
    )
