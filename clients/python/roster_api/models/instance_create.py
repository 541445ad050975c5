from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.instance_new import InstanceNew


T = TypeVar("T", bound="InstanceCreate")


@_attrs_define
class InstanceCreate:
    """`{"instance": {...}}`.

    Attributes:
        instance (InstanceNew): A new instance (`api::instances`).
    """

    instance: InstanceNew

    def to_dict(self) -> dict[str, Any]:
        instance = self.instance.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "instance": instance,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.instance_new import InstanceNew

        d = dict(src_dict)
        instance = InstanceNew.from_dict(d.pop("instance"))

        instance_create = cls(
            instance=instance,
        )

        return instance_create
