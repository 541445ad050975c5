from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="Meta")


@_attrs_define
class Meta:
    """The `meta` of every envelope: a create or a read of one object is one page.

    Attributes:
        count (int): The number of matches (of a list: in all pages).
        page_count (int):
        page_number (int | None): Null on a page asked for by cursor.
        page_size (int):
        next_cursor (None | str): Pass as `?cursor=` for the next page; null on the last.
        created (int | Unset): membership creates: how many rows this request made (see on_conflict)
    """

    count: int
    page_count: int
    page_number: int | None
    page_size: int
    next_cursor: None | str
    created: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        page_count = self.page_count

        page_number: int | None
        page_number = self.page_number

        page_size = self.page_size

        next_cursor: None | str
        next_cursor = self.next_cursor

        created = self.created

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "count": count,
                "page_count": page_count,
                "page_number": page_number,
                "page_size": page_size,
                "next_cursor": next_cursor,
            }
        )
        if created is not UNSET:
            field_dict["created"] = created

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        count = d.pop("count")

        page_count = d.pop("page_count")

        def _parse_page_number(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        page_number = _parse_page_number(d.pop("page_number"))

        page_size = d.pop("page_size")

        def _parse_next_cursor(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_cursor = _parse_next_cursor(d.pop("next_cursor"))

        created = d.pop("created", UNSET)

        meta = cls(
            count=count,
            page_count=page_count,
            page_number=page_number,
            page_size=page_size,
            next_cursor=next_cursor,
            created=created,
        )

        return meta
