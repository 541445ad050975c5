"""Seeds a running Roster for Schemathesis: instance `acme` with users, groups,
memberships, a barrier and keys, plus the instances the instance-level writes target.

Usage: seed.py BASE_URL ACCOUNT_KEY   (prints the admin key of acme)
"""

import json
import sys
import urllib.request

BASE, ACCOUNT = sys.argv[1].rstrip("/"), sys.argv[2]


def call(method, path, body=None, key=ACCOUNT):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("X-API-KEY", key)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as resp:
        text = resp.read()
        return json.loads(text) if text else None


def ids(env):
    return [r["id"] for r in env["results"]]


for name in ("acme", "scratch-update", "scratch-delete"):
    call("POST", "/instances", {"instance": {"name": name, "description": "seeded"}})
admin = call("POST", "/instances/acme/api_keys", {"api_key": {"role": "admin"}})
admin_key = next(iter(admin["api_keys"].values()))["key"]
users = ids(call("POST", "/instances/acme/users", {"users": [
    {"username": f"user{i}", "name": f"User {i}", "email": f"user{i}@example.com",
     "avatar_url": f"https://example.com/{i}.png"} for i in range(1, 9)
]}))
groups = ids(call("POST", "/instances/acme/groups", {"groups": [
    {"name": f"group{i}", "description": f"Group {i}"} for i in range(1, 6)
]}))
call("POST", "/instances/acme/memberships", {"memberships": [
    {"user_id": users[0], "group_id": groups[0], "role": "admin"},
    {"user_id": users[1], "group_id": groups[0]},
    {"user_id": users[2], "group_id": groups[0],
     "configurable_permissions": {"can_manage_members": False}},
    {"user_id": users[0], "group_id": groups[1]},
    {"user_id": users[3], "group_id": groups[1], "role": "admin"},
    {"user_id": users[4], "group_id": groups[2]},
]})
call("POST", "/instances/acme/barriers", {"barrier": {"group_ids": [groups[3], groups[4]]}})
call("POST", "/instances/acme/api_keys", {"api_key": {"role": "user", "user_id": users[0]}})
print(admin_key)
