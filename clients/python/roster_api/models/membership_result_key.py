from typing import Literal

MembershipResultKey = Literal["memberships"]

MEMBERSHIP_RESULT_KEY_VALUES: set[MembershipResultKey] = {
    "memberships",
}


def check_membership_result_key(value: str) -> MembershipResultKey:
    if value in MEMBERSHIP_RESULT_KEY_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {MEMBERSHIP_RESULT_KEY_VALUES!r}"
    )
