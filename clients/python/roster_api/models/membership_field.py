from typing import Literal

MembershipField = Literal[
    "configurable_permissions",
    "created_at",
    "group_id",
    "role",
    "updated_at",
    "user_id",
]

MEMBERSHIP_FIELD_VALUES: set[MembershipField] = {
    "configurable_permissions",
    "created_at",
    "group_id",
    "role",
    "updated_at",
    "user_id",
}


def check_membership_field(value: str) -> MembershipField:
    if value in MEMBERSHIP_FIELD_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {MEMBERSHIP_FIELD_VALUES!r}"
    )
