from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.barrier_new import BarrierNew


T = TypeVar("T", bound="BarrierCreateOne")


@_attrs_define
class BarrierCreateOne:
    """`{"barrier": {...}}`: one barrier.

    Attributes:
        barrier (BarrierNew): A new information barrier (`api::barriers`).
    """

    barrier: BarrierNew

    def to_dict(self) -> dict[str, Any]:
        barrier = self.barrier.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "barrier": barrier,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.barrier_new import BarrierNew

        d = dict(src_dict)
        barrier = BarrierNew.from_dict(d.pop("barrier"))

        barrier_create_one = cls(
            barrier=barrier,
        )

        return barrier_create_one
