from typing import Literal

InstanceResultKey = Literal["instances"]

INSTANCE_RESULT_KEY_VALUES: set[InstanceResultKey] = {
    "instances",
}


def check_instance_result_key(value: str) -> InstanceResultKey:
    if value in INSTANCE_RESULT_KEY_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {INSTANCE_RESULT_KEY_VALUES!r}"
    )
