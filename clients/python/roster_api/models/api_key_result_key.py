from typing import Literal

ApiKeyResultKey = Literal["api_keys"]

API_KEY_RESULT_KEY_VALUES: set[ApiKeyResultKey] = {
    "api_keys",
}


def check_api_key_result_key(value: str) -> ApiKeyResultKey:
    if value in API_KEY_RESULT_KEY_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {API_KEY_RESULT_KEY_VALUES!r}"
    )
