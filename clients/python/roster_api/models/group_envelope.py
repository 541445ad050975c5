from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.group_map import GroupMap
    from ..models.group_result import GroupResult
    from ..models.membership_map import MembershipMap
    from ..models.meta import Meta
    from ..models.user_map import UserMap


T = TypeVar("T", bound="GroupEnvelope")


@_attrs_define
class GroupEnvelope:
    """Kantata-style envelope of groups; `include` sideloads memberships and users.

    Attributes:
        count (int): The number of matches (of a list: in all pages).
        meta (Meta): The `meta` of every envelope: a create or a read of one object is one page.
        results (list[GroupResult]): The primary objects, in order.
        groups (GroupMap): Groups by ID
        memberships (MembershipMap | Unset): Memberships by ID
        users (UserMap | Unset): Users by ID
    """

    count: int
    meta: Meta
    results: list[GroupResult]
    groups: GroupMap
    memberships: MembershipMap | Unset = UNSET
    users: UserMap | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        meta = self.meta.to_dict()

        results = []
        for results_item_data in self.results:
            results_item = results_item_data.to_dict()
            results.append(results_item)

        groups = self.groups.to_dict()

        memberships: dict[str, Any] | Unset = UNSET
        if not isinstance(self.memberships, Unset):
            memberships = self.memberships.to_dict()

        users: dict[str, Any] | Unset = UNSET
        if not isinstance(self.users, Unset):
            users = self.users.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "count": count,
                "meta": meta,
                "results": results,
                "groups": groups,
            }
        )
        if memberships is not UNSET:
            field_dict["memberships"] = memberships
        if users is not UNSET:
            field_dict["users"] = users

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.group_map import GroupMap
        from ..models.group_result import GroupResult
        from ..models.membership_map import MembershipMap
        from ..models.meta import Meta
        from ..models.user_map import UserMap

        d = dict(src_dict)
        count = d.pop("count")

        meta = Meta.from_dict(d.pop("meta"))

        results = []
        _results = d.pop("results")
        for results_item_data in _results:
            results_item = GroupResult.from_dict(results_item_data)

            results.append(results_item)

        groups = GroupMap.from_dict(d.pop("groups"))

        _memberships = d.pop("memberships", UNSET)
        memberships: MembershipMap | Unset
        if isinstance(_memberships, Unset):
            memberships = UNSET
        else:
            memberships = MembershipMap.from_dict(_memberships)

        _users = d.pop("users", UNSET)
        users: UserMap | Unset
        if isinstance(_users, Unset):
            users = UNSET
        else:
            users = UserMap.from_dict(_users)

        group_envelope = cls(
            count=count,
            meta=meta,
            results=results,
            groups=groups,
            memberships=memberships,
            users=users,
        )

        return group_envelope
