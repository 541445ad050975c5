from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

if TYPE_CHECKING:
    from ..models.instance_changes import InstanceChanges


T = TypeVar("T", bound="InstanceUpdate")


@_attrs_define
class InstanceUpdate:
    """`{"instance": {...}}` with the fields to change.

    Attributes:
        instance (InstanceChanges): The fields of an instance to change.
    """

    instance: InstanceChanges

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
        from ..models.instance_changes import InstanceChanges

        d = dict(src_dict)
        instance = InstanceChanges.from_dict(d.pop("instance"))

        instance_update = cls(
            instance=instance,
        )

        return instance_update
