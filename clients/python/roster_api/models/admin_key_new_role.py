from typing import Literal

AdminKeyNewRole = Literal["admin"]

ADMIN_KEY_NEW_ROLE_VALUES: set[AdminKeyNewRole] = {
    "admin",
}


def check_admin_key_new_role(value: str) -> AdminKeyNewRole:
    if value in ADMIN_KEY_NEW_ROLE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {ADMIN_KEY_NEW_ROLE_VALUES!r}"
    )
