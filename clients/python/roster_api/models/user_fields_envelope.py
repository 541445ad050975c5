from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.group_map import GroupMap
    from ..models.membership_map import MembershipMap
    from ..models.meta import Meta
    from ..models.user_fields_map import UserFieldsMap
    from ..models.user_result import UserResult


T = TypeVar("T", bound="UserFieldsEnvelope")


@_attrs_define
class UserFieldsEnvelope:
    """Kantata-style envelope of users; `include` sideloads memberships and groups.
    As answered with `fields=`: the primary objects carry `id` and the fields asked
    for.

        Attributes:
            count (int): The number of matches (of a list: in all pages).
            meta (Meta): The `meta` of every envelope: a create or a read of one object is one page.
            results (list[UserResult]): The primary objects, in order.
            users (UserFieldsMap): UserFieldss by ID
            memberships (MembershipMap | Unset): Memberships by ID
            groups (GroupMap | Unset): Groups by ID
    """

    count: int
    meta: Meta
    results: list[UserResult]
    users: UserFieldsMap
    memberships: MembershipMap | Unset = UNSET
    groups: GroupMap | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        meta = self.meta.to_dict()

        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        users = self.users.to_dict()

        memberships: dict[str, Any] | Unset = UNSET
        if not isinstance(self.memberships, Unset):
            memberships = self.memberships.to_dict()

        groups: dict[str, Any] | Unset = UNSET
        if not isinstance(self.groups, Unset):
            groups = self.groups.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "count": count,
                "meta": meta,
                "results": results,
                "users": users,
            }
        )
        if memberships is not UNSET:
            field_dict["memberships"] = memberships
        if groups is not UNSET:
            field_dict["groups"] = groups

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.group_map import GroupMap
        from ..models.membership_map import MembershipMap
        from ..models.meta import Meta
        from ..models.user_fields_map import UserFieldsMap
        from ..models.user_result import UserResult

        d = dict(src_dict)
        count = d.pop("count")

        meta = Meta.from_dict(d.pop("meta"))

        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = UserResult.from_dict(results_item_data)

            results.append(results_item)

        users = UserFieldsMap.from_dict(d.pop("users"))

        _memberships = d.pop("memberships", UNSET)
        memberships: MembershipMap | Unset
        if isinstance(_memberships, Unset):
            memberships = UNSET
        else:
            memberships = MembershipMap.from_dict(_memberships)

        _groups = d.pop("groups", UNSET)
        groups: GroupMap | Unset
        if isinstance(_groups, Unset):
            groups = UNSET
        else:
            groups = GroupMap.from_dict(_groups)

        user_fields_envelope = cls(
            count=count,
            meta=meta,
            results=results,
            users=users,
            memberships=memberships,
            groups=groups,
        )

        return user_fields_envelope
