from typing import Literal

InstanceOrder = Literal[
    "created_at",
    "created_at:asc",
    "created_at:desc",
    "id",
    "id:asc",
    "id:desc",
    "name",
    "name:asc",
    "name:desc",
    "updated_at",
    "updated_at:asc",
    "updated_at:desc",
]

INSTANCE_ORDER_VALUES: set[InstanceOrder] = {
    "created_at",
    "created_at:asc",
    "created_at:desc",
    "id",
    "id:asc",
    "id:desc",
    "name",
    "name:asc",
    "name:desc",
    "updated_at",
    "updated_at:asc",
    "updated_at:desc",
}


def check_instance_order(value: str) -> InstanceOrder:
    if value in INSTANCE_ORDER_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {INSTANCE_ORDER_VALUES!r}"
    )
