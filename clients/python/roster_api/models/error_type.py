from typing import Literal

ErrorType = Literal[
    "bad_request",
    "conflict",
    "cursor_expired",
    "duplicate",
    "forbidden",
    "forbidden_by_policy",
    "headers_too_large",
    "idempotency_mismatch",
    "internal",
    "invalid",
    "method_not_allowed",
    "missing_reference",
    "not_found",
    "payload_too_large",
    "rate_limited",
    "request_timeout",
    "too_many",
    "unauthorized",
    "unavailable",
    "unsupported_media_type",
    "uri_too_long",
]

ERROR_TYPE_VALUES: set[ErrorType] = {
    "bad_request",
    "conflict",
    "cursor_expired",
    "duplicate",
    "forbidden",
    "forbidden_by_policy",
    "headers_too_large",
    "idempotency_mismatch",
    "internal",
    "invalid",
    "method_not_allowed",
    "missing_reference",
    "not_found",
    "payload_too_large",
    "rate_limited",
    "request_timeout",
    "too_many",
    "unauthorized",
    "unavailable",
    "unsupported_media_type",
    "uri_too_long",
}


def check_error_type(value: str) -> ErrorType:
    if value in ERROR_TYPE_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {ERROR_TYPE_VALUES!r}"
    )
