from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.group_map import GroupMap
    from ..models.membership_map import MembershipMap
    from ..models.membership_result import MembershipResult
    from ..models.meta import Meta
    from ..models.user_map import UserMap


T = TypeVar("T", bound="MembershipEnvelope")


@_attrs_define
class MembershipEnvelope:
    """Kantata-style envelope of memberships; `include` sideloads users and groups.

    Attributes:
        count (int): The number of matches (of a list: in all pages).
        meta (Meta): The `meta` of every envelope: a create or a read of one object is one page.
        results (list[MembershipResult]): The primary objects, in order.
        memberships (MembershipMap): Memberships by ID
        users (UserMap | Unset): Users by ID
        groups (GroupMap | Unset): Groups by ID
    """

    count: int
    meta: Meta
    results: list[MembershipResult]
    memberships: MembershipMap
    users: UserMap | Unset = UNSET
    groups: GroupMap | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        meta = self.meta.to_dict()

        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        memberships = self.memberships.to_dict()

        users: dict[str, Any] | Unset = UNSET
        if not isinstance(self.users, Unset):
            users = self.users.to_dict()

        groups: dict[str, Any] | Unset = UNSET
        if not isinstance(self.groups, Unset):
            groups = self.groups.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "count": count,
                "meta": meta,
                "results": results,
                "memberships": memberships,
            }
        )
        if users is not UNSET:
            field_dict["users"] = users
        if groups is not UNSET:
            field_dict["groups"] = groups

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.group_map import GroupMap
        from ..models.membership_map import MembershipMap
        from ..models.membership_result import MembershipResult
        from ..models.meta import Meta
        from ..models.user_map import UserMap

        d = dict(src_dict)
        count = d.pop("count")

        meta = Meta.from_dict(d.pop("meta"))

        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = MembershipResult.from_dict(results_item_data)

            results.append(results_item)

        memberships = MembershipMap.from_dict(d.pop("memberships"))

        _users = d.pop("users", UNSET)
        users: UserMap | Unset
        if isinstance(_users, Unset):
            users = UNSET
        else:
            users = UserMap.from_dict(_users)

        _groups = d.pop("groups", UNSET)
        groups: GroupMap | Unset
        if isinstance(_groups, Unset):
            groups = UNSET
        else:
            groups = GroupMap.from_dict(_groups)

        membership_envelope = cls(
            count=count,
            meta=meta,
            results=results,
            memberships=memberships,
            users=users,
            groups=groups,
        )

        return membership_envelope
