from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.error_entry import ErrorEntry


T = TypeVar("T", bound="Error")


@_attrs_define
class Error:
    """The body of every error, whatever its status.

    Attributes:
        errors (list[ErrorEntry]):
    """

    errors: list[ErrorEntry]

    def to_dict(self) -> dict[str, Any]:
        errors = []
        for errors_item_data in self.errors:
            errors_item = errors_item_data.to_dict()
            errors.append(errors_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "errors": errors,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.error_entry import ErrorEntry

        d = dict(src_dict)
        errors = []
        _errors = d.pop("errors")
        for errors_item_data in _errors:
            errors_item = ErrorEntry.from_dict(errors_item_data)

            errors.append(errors_item)

        error = cls(
            errors=errors,
        )

        return error
