from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.barrier_new import BarrierNew


T = TypeVar("T", bound="BarrierCreateBulk")


@_attrs_define
class BarrierCreateBulk:
    """`{"barriers": [{...}, ...]}`: 1 to 100 barriers, all or nothing.

    Attributes:
        barriers (list[BarrierNew]):
    """

    barriers: list[BarrierNew]

    def to_dict(self) -> dict[str, Any]:
        barriers = []
        for barriers_item_data in self.barriers:
            barriers_item = barriers_item_data.to_dict()
            barriers.append(barriers_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "barriers": barriers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.barrier_new import BarrierNew

        d = dict(src_dict)
        barriers = []
        _barriers = d.pop("barriers")
        for barriers_item_data in _barriers:
            barriers_item = BarrierNew.from_dict(barriers_item_data)

            barriers.append(barriers_item)

        barrier_create_bulk = cls(
            barriers=barriers,
        )

        return barrier_create_bulk
