from typing import Literal

GroupField = Literal["created_at", "description", "external_id", "name", "updated_at"]

GROUP_FIELD_VALUES: set[GroupField] = {
    "created_at",
    "description",
    "external_id",
    "name",
    "updated_at",
}


def check_group_field(value: str) -> GroupField:
    if value in GROUP_FIELD_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GROUP_FIELD_VALUES!r}"
    )
