import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.stream_events_source import (
    StreamEventsSource,
)
from ...models.stream_events_types_item import (
    StreamEventsTypesItem,
)
from ...types import UNSET, Response, Unset


def _get_kwargs(
    instance: str,
    *,
    after: str | Unset = UNSET,
    types: list[StreamEventsTypesItem] | Unset = UNSET,
    object_id: str | Unset = UNSET,
    actor_key_id: str | Unset = UNSET,
    source: StreamEventsSource | Unset = UNSET,
    occurred_after: datetime.datetime | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["after"] = after

    json_types: list[str] | Unset = UNSET
    if not isinstance(types, Unset):
        json_types = []
        for types_item_data in types:
            types_item: str = types_item_data
            json_types.append(types_item)

    params["types"] = json_types

    params["object_id"] = object_id

    params["actor_key_id"] = actor_key_id

    json_source: str | Unset = UNSET
    if not isinstance(source, Unset):
        json_source = source

    params["source"] = json_source

    json_occurred_after: str | Unset = UNSET
    if not isinstance(occurred_after, Unset):
        json_occurred_after = occurred_after.isoformat()
    params["occurred_after"] = json_occurred_after

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/instances/{instance}/events/stream".format(
            instance=quote(str(instance), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | str | None:
    if response.status_code == 200:
        response_200 = response.text
        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 405:
        response_405 = Error.from_dict(response.json())

        return response_405

    if response.status_code == 408:
        response_408 = Error.from_dict(response.json())

        return response_408

    if response.status_code == 410:
        response_410 = Error.from_dict(response.json())

        return response_410

    if response.status_code == 414:
        response_414 = Error.from_dict(response.json())

        return response_414

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 431:
        response_431 = Error.from_dict(response.json())

        return response_431

    if response.status_code == 500:
        response_500 = Error.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    instance: str,
    *,
    client: AuthenticatedClient | Client,
    after: str | Unset = UNSET,
    types: list[StreamEventsTypesItem] | Unset = UNSET,
    object_id: str | Unset = UNSET,
    actor_key_id: str | Unset = UNSET,
    source: StreamEventsSource | Unset = UNSET,
    occurred_after: datetime.datetime | Unset = UNSET,
) -> Response[Error | str]:
    """The change feed as Server-Sent Events

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        after (str | Unset):
        types (list[StreamEventsTypesItem] | Unset):
        object_id (str | Unset): a positive 64-bit integer, written as a string of digits
        actor_key_id (str | Unset): a positive 64-bit integer, written as a string of digits
        source (StreamEventsSource | Unset):
        occurred_after (datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | str]
    """

    kwargs = _get_kwargs(
        instance=instance,
        after=after,
        types=types,
        object_id=object_id,
        actor_key_id=actor_key_id,
        source=source,
        occurred_after=occurred_after,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    instance: str,
    *,
    client: AuthenticatedClient | Client,
    after: str | Unset = UNSET,
    types: list[StreamEventsTypesItem] | Unset = UNSET,
    object_id: str | Unset = UNSET,
    actor_key_id: str | Unset = UNSET,
    source: StreamEventsSource | Unset = UNSET,
    occurred_after: datetime.datetime | Unset = UNSET,
) -> Error | str | None:
    """The change feed as Server-Sent Events

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        after (str | Unset):
        types (list[StreamEventsTypesItem] | Unset):
        object_id (str | Unset): a positive 64-bit integer, written as a string of digits
        actor_key_id (str | Unset): a positive 64-bit integer, written as a string of digits
        source (StreamEventsSource | Unset):
        occurred_after (datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | str
    """

    return sync_detailed(
        instance=instance,
        client=client,
        after=after,
        types=types,
        object_id=object_id,
        actor_key_id=actor_key_id,
        source=source,
        occurred_after=occurred_after,
    ).parsed


async def asyncio_detailed(
    instance: str,
    *,
    client: AuthenticatedClient | Client,
    after: str | Unset = UNSET,
    types: list[StreamEventsTypesItem] | Unset = UNSET,
    object_id: str | Unset = UNSET,
    actor_key_id: str | Unset = UNSET,
    source: StreamEventsSource | Unset = UNSET,
    occurred_after: datetime.datetime | Unset = UNSET,
) -> Response[Error | str]:
    """The change feed as Server-Sent Events

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        after (str | Unset):
        types (list[StreamEventsTypesItem] | Unset):
        object_id (str | Unset): a positive 64-bit integer, written as a string of digits
        actor_key_id (str | Unset): a positive 64-bit integer, written as a string of digits
        source (StreamEventsSource | Unset):
        occurred_after (datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | str]
    """

    kwargs = _get_kwargs(
        instance=instance,
        after=after,
        types=types,
        object_id=object_id,
        actor_key_id=actor_key_id,
        source=source,
        occurred_after=occurred_after,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    instance: str,
    *,
    client: AuthenticatedClient | Client,
    after: str | Unset = UNSET,
    types: list[StreamEventsTypesItem] | Unset = UNSET,
    object_id: str | Unset = UNSET,
    actor_key_id: str | Unset = UNSET,
    source: StreamEventsSource | Unset = UNSET,
    occurred_after: datetime.datetime | Unset = UNSET,
) -> Error | str | None:
    """The change feed as Server-Sent Events

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        after (str | Unset):
        types (list[StreamEventsTypesItem] | Unset):
        object_id (str | Unset): a positive 64-bit integer, written as a string of digits
        actor_key_id (str | Unset): a positive 64-bit integer, written as a string of digits
        source (StreamEventsSource | Unset):
        occurred_after (datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | str
    """

    return (
        await asyncio_detailed(
            instance=instance,
            client=client,
            after=after,
            types=types,
            object_id=object_id,
            actor_key_id=actor_key_id,
            source=source,
            occurred_after=occurred_after,
        )
    ).parsed
