from typing import Literal

BarrierOrder = Literal[
    "created_at", "created_at:asc", "created_at:desc", "id", "id:asc", "id:desc"
]

BARRIER_ORDER_VALUES: set[BarrierOrder] = {
    "created_at",
    "created_at:asc",
    "created_at:desc",
    "id",
    "id:asc",
    "id:desc",
}


def check_barrier_order(value: str) -> BarrierOrder:
    if value in BARRIER_ORDER_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {BARRIER_ORDER_VALUES!r}"
    )
