from typing import Literal

BarrierField = Literal["created_at", "description", "group_ids"]

BARRIER_FIELD_VALUES: set[BarrierField] = {
    "created_at",
    "description",
    "group_ids",
}


def check_barrier_field(value: str) -> BarrierField:
    if value in BARRIER_FIELD_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {BARRIER_FIELD_VALUES!r}"
    )
