from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.webhook_create import WebhookCreate
from ...models.webhook_envelope import WebhookEnvelope
from ...types import UNSET, Response, Unset


def _get_kwargs(
    instance: str,
    *,
    body: WebhookCreate,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/instances/{instance}/webhooks".format(
            instance=quote(str(instance), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | WebhookEnvelope | None:
    if response.status_code == 201:
        response_201 = WebhookEnvelope.from_dict(response.json())

        return response_201

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

    if response.status_code == 409:
        response_409 = Error.from_dict(response.json())

        return response_409

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
    *,
    client: AuthenticatedClient | Client,
    body: WebhookCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[Error | WebhookEnvelope]:
    """Create a webhook endpoint (its signing secret is shown once)

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        idempotency_key (str | Unset):
        body (WebhookCreate): `{"webhook": {...}}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | WebhookEnvelope]
    """

    kwargs = _get_kwargs(
        instance=instance,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    instance: str,
    *,
    client: AuthenticatedClient | Client,
    body: WebhookCreate,
    idempotency_key: str | Unset = UNSET,
) -> Error | WebhookEnvelope | None:
    """Create a webhook endpoint (its signing secret is shown once)

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        idempotency_key (str | Unset):
        body (WebhookCreate): `{"webhook": {...}}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | WebhookEnvelope
    """

    return sync_detailed(
        instance=instance,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    instance: str,
    *,
    client: AuthenticatedClient | Client,
    body: WebhookCreate,
    idempotency_key: str | Unset = UNSET,
) -> Response[Error | WebhookEnvelope]:
    """Create a webhook endpoint (its signing secret is shown once)

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        idempotency_key (str | Unset):
        body (WebhookCreate): `{"webhook": {...}}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | WebhookEnvelope]
    """

    kwargs = _get_kwargs(
        instance=instance,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    instance: str,
    *,
    client: AuthenticatedClient | Client,
    body: WebhookCreate,
    idempotency_key: str | Unset = UNSET,
) -> Error | WebhookEnvelope | None:
    """Create a webhook endpoint (its signing secret is shown once)

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        idempotency_key (str | Unset):
        body (WebhookCreate): `{"webhook": {...}}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | WebhookEnvelope
    """

    return (
        await asyncio_detailed(
            instance=instance,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
