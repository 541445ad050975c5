from typing import Literal

UserKeyNewRole = Literal["user"]

USER_KEY_NEW_ROLE_VALUES: set[UserKeyNewRole] = {
    "user",
}


def check_user_key_new_role(value: str) -> UserKeyNewRole:
    if value in USER_KEY_NEW_ROLE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {USER_KEY_NEW_ROLE_VALUES!r}"
    )
