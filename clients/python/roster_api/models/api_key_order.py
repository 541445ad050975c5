from typing import Literal

ApiKeyOrder = Literal[
    "created_at", "created_at:asc", "created_at:desc", "id", "id:asc", "id:desc"
]

API_KEY_ORDER_VALUES: set[ApiKeyOrder] = {
    "created_at",
    "created_at:asc",
    "created_at:desc",
    "id",
    "id:asc",
    "id:desc",
}


def check_api_key_order(value: str) -> ApiKeyOrder:
    if value in API_KEY_ORDER_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {API_KEY_ORDER_VALUES!r}"
    )
