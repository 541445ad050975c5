from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.live_status import LiveStatus, check_live_status

T = TypeVar("T", bound="Live")


@_attrs_define
class Live:
    """`{"status": "ok"}`: the process is up.

    Attributes:
        status (LiveStatus):
    """

    status: LiveStatus

    def to_dict(self) -> dict[str, Any]:
        status: str = self.status

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        status = check_live_status(d.pop("status"))

        live = cls(
            status=status,
        )

        return live
