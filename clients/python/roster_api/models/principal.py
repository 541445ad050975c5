from typing import Literal

Principal = Literal["service_account", "user"]

PRINCIPAL_VALUES: set[Principal] = {
    "service_account",
    "user",
}


def check_principal(value: str) -> Principal:
    if value in PRINCIPAL_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {PRINCIPAL_VALUES!r}")
