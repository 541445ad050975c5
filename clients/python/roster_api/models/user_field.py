from typing import Literal

UserField = Literal[
    "active",
    "avatar_url",
    "created_at",
    "email",
    "external_id",
    "name",
    "principal",
    "updated_at",
    "username",
]

USER_FIELD_VALUES: set[UserField] = {
    "active",
    "avatar_url",
    "created_at",
    "email",
    "external_id",
    "name",
    "principal",
    "updated_at",
    "username",
}


def check_user_field(value: str) -> UserField:
    if value in USER_FIELD_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {USER_FIELD_VALUES!r}"
    )
