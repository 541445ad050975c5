from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.webhook_envelope import WebhookEnvelope
from ...models.webhook_update import WebhookUpdate
from ...types import Response


def _get_kwargs(
    instance: str,
    id: str,
    *,
    body: WebhookUpdate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/instances/{instance}/webhooks/{id}".format(
            instance=quote(str(instance), safe=""),
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | WebhookEnvelope | None:
    if response.status_code == 200:
        response_200 = WebhookEnvelope.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 405:
        response_405 = Error.from_dict(response.json())

        return response_405

    if response.status_code == 408:
        response_408 = Error.from_dict(response.json())

        return response_408

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 414:
        response_414 = Error.from_dict(response.json())

        return response_414

    if response.status_code == 415:
        response_415 = Error.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Error.from_dict(response.json())

        return response_422

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
) -> Response[Error | WebhookEnvelope]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    instance: str,
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: WebhookUpdate,
) -> Response[Error | WebhookEnvelope]:
    """Update a webhook endpoint (a new url or enabled: true also clears its failure state)

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        id (str): a positive 64-bit integer, written as a string of digits
        body (WebhookUpdate): `{"webhook": {...}}` with the fields to change.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | WebhookEnvelope]
    """

    kwargs = _get_kwargs(
        instance=instance,
        id=id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    instance: str,
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: WebhookUpdate,
) -> Error | WebhookEnvelope | None:
    """Update a webhook endpoint (a new url or enabled: true also clears its failure state)

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        id (str): a positive 64-bit integer, written as a string of digits
        body (WebhookUpdate): `{"webhook": {...}}` with the fields to change.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | WebhookEnvelope
    """

    return sync_detailed(
        instance=instance,
        id=id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    instance: str,
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: WebhookUpdate,
) -> Response[Error | WebhookEnvelope]:
    """Update a webhook endpoint (a new url or enabled: true also clears its failure state)

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        id (str): a positive 64-bit integer, written as a string of digits
        body (WebhookUpdate): `{"webhook": {...}}` with the fields to change.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | WebhookEnvelope]
    """

    kwargs = _get_kwargs(
        instance=instance,
        id=id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    instance: str,
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: WebhookUpdate,
) -> Error | WebhookEnvelope | None:
    """Update a webhook endpoint (a new url or enabled: true also clears its failure state)

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        id (str): a positive 64-bit integer, written as a string of digits
        body (WebhookUpdate): `{"webhook": {...}}` with the fields to change.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | WebhookEnvelope
    """

    return (
        await asyncio_detailed(
            instance=instance,
            id=id,
            client=client,
            body=body,
        )
    ).parsed
