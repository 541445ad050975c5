from typing import Literal

UserOrder = Literal[
    "created_at",
    "created_at:asc",
    "created_at:desc",
    "id",
    "id:asc",
    "id:desc",
    "updated_at",
    "updated_at:asc",
    "updated_at:desc",
    "username",
    "username:asc",
    "username:desc",
]

USER_ORDER_VALUES: set[UserOrder] = {
    "created_at",
    "created_at:asc",
    "created_at:desc",
    "id",
    "id:asc",
    "id:desc",
    "updated_at",
    "updated_at:asc",
    "updated_at:desc",
    "username",
    "username:asc",
    "username:desc",
}


def check_user_order(value: str) -> UserOrder:
    if value in USER_ORDER_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {USER_ORDER_VALUES!r}"
    )
