"""The flow of a bulk import script and a roster reader, through the generated client
and the thin layer, against a live server (see conftest.py)."""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from roster import BulkError, NotFound, Roster, Unprocessable, objects
from roster_api.api.groups import create_groups
from roster_api.api.memberships import create_memberships, list_group_users
from roster_api.api.users import create_users, delete_user, get_user, list_users, update_user
from roster_api.models import (
    ConfigurablePermissions,
    GroupCreateBulk,
    GroupNew,
    Membership,
    MembershipCreateBulk,
    MembershipEnvelope,
    MembershipNew,
    User,
    UserChanges,
    UserCreateBulk,
    UserCreateOne,
    UserEnvelope,
    UserFields,
    UserFieldsEnvelope,
    UserNew,
    UserUpdate,
)


def test_the_flow_of_an_import_and_a_reader(roster: Roster, instance: str) -> None:
    # 150 users: two requests (100 and 50), each with an Idempotency-Key.
    users = [UserNew(username=f"user{i:03}", name=f"User {i}") for i in range(150)]
    made = roster.bulk(create_users.sync_detailed, UserCreateBulk, users, instance=instance)
    assert [len(e.results) for e in made] == [100, 50]
    created = [u for e in made for u in objects(e)]
    assert [u.username for u in created] == [u.username for u in users]
    assert all(isinstance(u, User) for u in created)

    groups = roster.bulk(
        create_groups.sync_detailed,
        GroupCreateBulk,
        [GroupNew(name="witchers"), GroupNew(name="sorceresses", description="Lodge")],
        instance=instance,
    )
    witchers, sorceresses = objects(groups[0])

    # A bulk of memberships, 150 + 30 in two requests, with the users and the group of
    # each sideloaded (include sent as include=user&include=group, as generated).
    memberships = [MembershipNew(user_id=u.id, group_id=witchers.id) for u in created]
    admins = ConfigurablePermissions.from_dict({"can_manage_members": False})
    memberships += [
        MembershipNew(
            user_id=u.id, group_id=sorceresses.id, role="admin", configurable_permissions=admins
        )
        for u in created[:30]
    ]
    envelopes = roster.bulk(
        create_memberships.sync_detailed,
        MembershipCreateBulk,
        memberships,
        instance=instance,
        include=["user", "group"],
    )
    assert [len(e.results) for e in envelopes] == [100, 80]
    for envelope in envelopes:
        assert isinstance(envelope, MembershipEnvelope)
        assert envelope.meta.created == len(envelope.results)
        for m in objects(envelope):
            assert isinstance(m, Membership)
            user = envelope.users[m.user_id]
            group = envelope.groups[m.group_id]
            assert user.id == m.user_id and group.id == m.group_id
            if group.name == "sorceresses":
                assert m.role == "admin"
                assert m.configurable_permissions.additional_properties == {
                    "can_manage_members": False
                }
            else:
                assert m.role == "member"
                assert m.configurable_permissions.additional_properties == {}

    # Cursor pages to the end: every user once, in ID order, and the group's members.
    pages = list(roster.pages(list_users.sync_detailed, instance=instance, per_page=40))
    assert [len(p.results) for p in pages] == [40, 40, 40, 30]
    assert pages[-1].meta.next_cursor is None
    assert all(p.meta.page_number is None for p in pages[1:])
    listed = [u.id for p in pages for u in objects(p)]
    assert listed == sorted((u.id for u in created), key=int)
    members = list(
        roster.each(
            list_group_users.sync_detailed,
            instance=instance,
            group_id=witchers.id,
            per_page=200,
            include=["user"],
        )
    )
    assert len(members) == 150

    # fields= answers the Fields envelope: id and what was asked, nothing else.
    some = roster.call(list_users.sync_detailed, instance=instance, fields=["username"], per_page=5)
    assert isinstance(some, UserFieldsEnvelope)
    first = objects(some)[0]
    assert isinstance(first, UserFields)
    assert first.username == "user000"
    assert first.to_dict() == {"id": first.id, "username": "user000"}
    whole = roster.call(get_user.sync_detailed, instance=instance, id=first.id)
    assert isinstance(whole, UserEnvelope)
    assert objects(whole)[0].name == "User 0"

    # PATCH, then DELETE: the user is gone, with its memberships.
    body = UserUpdate(user=UserChanges(name="Geralt of Rivia", email="geralt@kaer.morhen"))
    changed = objects(
        roster.call(update_user.sync_detailed, instance=instance, id=first.id, body=body)
    )[0]
    assert (changed.name, changed.email, changed.username) == (
        "Geralt of Rivia",
        "geralt@kaer.morhen",
        "user000",
    )
    assert changed.updated_at >= changed.created_at
    assert roster.call(delete_user.sync_detailed, instance=instance, id=first.id) is None
    with pytest.raises(NotFound) as gone:
        roster.call(get_user.sync_detailed, instance=instance, id=first.id)
    assert gone.value.type == "not_found"
    left = list(
        roster.each(
            list_group_users.sync_detailed, instance=instance, group_id=witchers.id, per_page=200
        )
    )
    assert len(left) == 149

    # A duplicate is a typed 422 naming the field.
    with pytest.raises(Unprocessable) as duplicate:
        roster.call(
            create_users.sync_detailed,
            instance=instance,
            body=UserCreateOne(user=UserNew(username="user001")),
        )
    assert duplicate.value.status == 422
    assert (duplicate.value.type, duplicate.value.problem.field) == ("duplicate", "username")


def test_a_refused_chunk_says_which_objects_and_a_rerun_finishes(
    roster: Roster, instance: str
) -> None:
    roster.call(
        create_users.sync_detailed,
        instance=instance,
        body=UserCreateOne(user=UserNew(username="taken")),
    )
    users = [UserNew(username=f"u{i}") for i in range(120)]
    users[110] = UserNew(username="taken")
    users[115] = UserNew(username="not valid!")
    with pytest.raises(BulkError) as refused:
        roster.bulk(create_users.sync_detailed, UserCreateBulk, users, instance=instance)
    e = refused.value
    # The second request was refused whole; its problems index into the whole list.
    assert e.offset == 100 and len(e.done) == 1 and len(e.done[0].results) == 100
    assert [(p.index, p.field, p.type) for p in e.problems] == [
        (110, "username", "duplicate"),
        (115, "username", "invalid"),
    ]
    assert isinstance(e.cause, Unprocessable) and e.cause.problems[0].index == 10

    # Run again with the bad objects fixed: the first request is replayed (same objects,
    # same key), the second sent; once more, both are replayed. Nothing is made twice.
    users[110] = UserNew(username="u110")
    users[115] = UserNew(username="u115")
    first = roster.bulk(create_users.sync_detailed, UserCreateBulk, users, instance=instance)
    assert [u.id for u in objects(first[0])] == [u.id for u in objects(e.done[0])]
    again = roster.bulk(create_users.sync_detailed, UserCreateBulk, users, instance=instance)
    assert [[u.id for u in objects(e)] for e in first] == [
        [u.id for u in objects(e)] for e in again
    ]
    every = list(roster.each(list_users.sync_detailed, instance=instance, per_page=200))
    assert len(every) == 121
    assert len({u.username for u in every}) == 121
    # Under a key of its own, the same objects are sent again: now duplicates.
    with pytest.raises(BulkError) as twice:
        roster.bulk(
            create_users.sync_detailed, UserCreateBulk, users[:3], instance=instance, key="run-2"
        )
    assert [(p.index, p.type) for p in twice.value.problems] == [
        (0, "duplicate"),
        (1, "duplicate"),
        (2, "duplicate"),
    ]


def test_the_username_pattern_is_what_the_server_accepts(
    roster: Roster, base_url: str, instance: str
) -> None:
    with urllib.request.urlopen(base_url + "/openapi.json") as r:
        doc = json.load(r)
    pattern = re.compile(
        doc["components"]["schemas"]["UserNew"]["properties"]["username"]["pattern"]
    )
    # Letters and digits of many kinds (Nl, No, Other_Alphabetic marks, astral CJK and
    # mathematical letters), and characters that are neither (symbols, emoji, spaces).
    samples = "aZ09.@+-_ªµºÀöǅʰ٣ⅫⅯ½²㊿〇्ͅा𠀀𝐀𝟘🄰😀€ $!#/\\ ‿·\u200d"
    for c in samples:
        word = "a" + c
        matches = pattern.fullmatch(word) is not None
        body = UserCreateOne(user=UserNew(username=word))
        try:
            roster.call(create_users.sync_detailed, instance=instance, body=body)
            accepted = True
        except Unprocessable as e:
            assert e.problem.field == "username", e
            accepted = False
        assert matches == accepted, f"U+{ord(c):04X} {c!r}: pattern {matches}, server {accepted}"
