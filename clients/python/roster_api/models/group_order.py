from typing import Literal

GroupOrder = Literal[
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

GROUP_ORDER_VALUES: set[GroupOrder] = {
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


def check_group_order(value: str) -> GroupOrder:
    if value in GROUP_ORDER_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GROUP_ORDER_VALUES!r}"
    )
