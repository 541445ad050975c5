from typing import Literal

UserResultKey = Literal["users"]

USER_RESULT_KEY_VALUES: set[UserResultKey] = {
    "users",
}


def check_user_result_key(value: str) -> UserResultKey:
    if value in USER_RESULT_KEY_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {USER_RESULT_KEY_VALUES!r}"
    )
