from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.ready_status import ReadyStatus, check_ready_status

T = TypeVar("T", bound="Ready")


@_attrs_define
class Ready:
    """`{"status": "ready"}`: the database answers.

    Attributes:
        status (ReadyStatus):
    """

    status: ReadyStatus

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
        status = check_ready_status(d.pop("status"))

        ready = cls(
            status=status,
        )

        return ready
