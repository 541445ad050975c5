from typing import Literal

GroupResultKey = Literal["groups"]

GROUP_RESULT_KEY_VALUES: set[GroupResultKey] = {
    "groups",
}


def check_group_result_key(value: str) -> GroupResultKey:
    if value in GROUP_RESULT_KEY_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {GROUP_RESULT_KEY_VALUES!r}"
    )
