from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.error_type import ErrorType, check_error_type
from ..types import UNSET, Unset

T = TypeVar("T", bound="ErrorEntry")


@_attrs_define
class ErrorEntry:
    """One problem.

    Attributes:
        type_ (ErrorType): Every error type of API.md §7 (the responses say which statuses carry which).
        message (str):
        field (str | Unset): The field or parameter the error is about.
        index (int | Unset): the object of a bulk the error is about, from 0
    """

    type_: ErrorType
    message: str
    field: str | Unset = UNSET
    index: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        type_: str = self.type_

        message = self.message

        field = self.field

        index = self.index

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "type": type_,
                "message": message,
            }
        )
        if field is not UNSET:
            field_dict["field"] = field
        if index is not UNSET:
            field_dict["index"] = index

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        type_ = check_error_type(d.pop("type"))

        message = d.pop("message")

        field = d.pop("field", UNSET)

        index = d.pop("index", UNSET)

        error_entry = cls(
            type_=type_,
            message=message,
            field=field,
            index=index,
        )

        return error_entry
