from typing import Literal

InstanceField = Literal["created_at", "description", "name", "updated_at"]

INSTANCE_FIELD_VALUES: set[InstanceField] = {
    "created_at",
    "description",
    "name",
    "updated_at",
}


def check_instance_field(value: str) -> InstanceField:
    if value in INSTANCE_FIELD_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {INSTANCE_FIELD_VALUES!r}"
    )
