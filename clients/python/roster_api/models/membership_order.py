from typing import Literal

MembershipOrder = Literal[
    "created_at",
    "created_at:asc",
    "created_at:desc",
    "id",
    "id:asc",
    "id:desc",
    "updated_at",
    "updated_at:asc",
    "updated_at:desc",
]

MEMBERSHIP_ORDER_VALUES: set[MembershipOrder] = {
    "created_at",
    "created_at:asc",
    "created_at:desc",
    "id",
    "id:asc",
    "id:desc",
    "updated_at",
    "updated_at:asc",
    "updated_at:desc",
}


def check_membership_order(value: str) -> MembershipOrder:
    if value in MEMBERSHIP_ORDER_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {MEMBERSHIP_ORDER_VALUES!r}"
    )
