from typing import Literal

UserInclude = Literal["memberships", "memberships.group"]

USER_INCLUDE_VALUES: set[UserInclude] = {
    "memberships",
    "memberships.group",
}


def check_user_include(value: str) -> UserInclude:
    if value in USER_INCLUDE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {USER_INCLUDE_VALUES!r}"
    )
