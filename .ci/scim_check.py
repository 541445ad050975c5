#!/usr/bin/env python3
"""Runs every check scim2-tester has against one Roster instance's SCIM base URL and
prints each result; exits 1 when any check did not pass (anything but SUCCESS,
COMPLIANT or ACCEPTABLE, a skipped check included).

Usage: scim_check.py BASE_URL KEY   (BASE_URL: http://host:port/instances/NAME/scim/v2)
"""

import sys

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server

PASSING = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE}


def main():
    base, key = sys.argv[1], sys.argv[2]
    http = Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30)
    results = check_server(SyncSCIMClient(http))
    failed = 0
    for r in results:
        ok = r.status in PASSING
        failed += not ok
        where = f" [{r.resource_type}]" if r.resource_type else ""
        line = f"{r.status.name:10} {r.title}{where}"
        if not ok and r.reason:
            line += f": {r.reason}"
        print(line)
    print(f"scim2-tester: {len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed or not results else 0)


if __name__ == "__main__":
    main()
