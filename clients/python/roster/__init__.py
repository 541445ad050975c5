"""Roster's Python client.

`roster_api` is generated from the server's `/openapi.json` (clients/generate.sh; do not
edit it); this package is the thin layer over it:

    from roster import Roster
    from roster_api.api.users import list_users

    roster = Roster("http://127.0.0.1:8080", "rk_...")
    for user in roster.each(list_users.sync_detailed, instance="acme", per_page=200):
        print(user.username)
"""

from .client import MAX_BULK, Roster, objects
from .errors import (
    BadRequest,
    BulkError,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    Problem,
    RateLimited,
    RosterError,
    ServerError,
    Unauthorized,
    Unprocessable,
)

__all__ = [
    "MAX_BULK",
    "BadRequest",
    "BulkError",
    "Conflict",
    "Forbidden",
    "NotFound",
    "PayloadTooLarge",
    "Problem",
    "RateLimited",
    "Roster",
    "RosterError",
    "ServerError",
    "Unauthorized",
    "Unprocessable",
    "objects",
]
