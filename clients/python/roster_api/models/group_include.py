from typing import Literal

GroupInclude = Literal["memberships", "memberships.user"]

GROUP_INCLUDE_VALUES: set[GroupInclude] = {
    "memberships",
    "memberships.user",
}


def check_group_include(value: str) -> GroupInclude:
    if value in GROUP_INCLUDE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GROUP_INCLUDE_VALUES!r}"
    )
