from typing import Literal

ApiKeyField = Literal[
    "created_at", "description", "prefix", "revoked_at", "role", "user_id"
]

API_KEY_FIELD_VALUES: set[ApiKeyField] = {
    "created_at",
    "description",
    "prefix",
    "revoked_at",
    "role",
    "user_id",
}


def check_api_key_field(value: str) -> ApiKeyField:
    if value in API_KEY_FIELD_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {API_KEY_FIELD_VALUES!r}"
    )
