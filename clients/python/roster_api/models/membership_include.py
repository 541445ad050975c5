from typing import Literal

MembershipInclude = Literal["group", "user"]

MEMBERSHIP_INCLUDE_VALUES: set[MembershipInclude] = {
    "group",
    "user",
}


def check_membership_include(value: str) -> MembershipInclude:
    if value in MEMBERSHIP_INCLUDE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {MEMBERSHIP_INCLUDE_VALUES!r}"
    )
