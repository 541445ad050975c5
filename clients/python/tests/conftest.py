"""The flows run against a live server: ROSTER_URL (e.g. http://127.0.0.1:8080) and
ROSTER_ACCOUNT_KEY, its account key. Each test gets an instance of its own and an admin
key for it. Without them the tests fail: they are never skipped."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from roster import Roster
from roster_api.api.api_keys import create_api_key
from roster_api.api.instances import create_instance, delete_instance
from roster_api.models import AdminKeyNew, ApiKeyCreate, InstanceCreate, InstanceNew


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: these tests run against a live Roster server")
    return value


@pytest.fixture(scope="session")
def base_url() -> str:
    return _env("ROSTER_URL")


@pytest.fixture(scope="session")
def account(base_url: str) -> Iterator[Roster]:
    with Roster(base_url, _env("ROSTER_ACCOUNT_KEY")) as roster:
        yield roster


@pytest.fixture
def instance(account: Roster) -> Iterator[str]:
    name = f"py-{uuid.uuid4().hex[:12]}"
    body = InstanceCreate(instance=InstanceNew(name=name, description="clients/python tests"))
    account.call(create_instance.sync_detailed, body=body)
    yield name
    account.call(delete_instance.sync_detailed, instance=name)


@pytest.fixture
def roster(base_url: str, account: Roster, instance: str) -> Iterator[Roster]:
    """An instance admin key's client."""
    body = ApiKeyCreate(api_key=AdminKeyNew(role="admin", description="tests"))
    created = account.call(create_api_key.sync_detailed, instance=instance, body=body)
    (key,) = (k.key for k in created.api_keys.additional_properties.values())
    with Roster(base_url, key) as roster:
        yield roster
