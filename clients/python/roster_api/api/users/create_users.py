from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.user_create_bulk import UserCreateBulk
from ...models.user_create_one import UserCreateOne
from ...models.user_envelope import UserEnvelope
from ...models.user_field import UserField
from ...models.user_fields_envelope import UserFieldsEnvelope
from ...models.user_include import UserInclude
from ...types import UNSET, Response, Unset


def _get_kwargs(
    instance: str,
    *,
    body: UserCreateBulk | UserCreateOne,
    include: list[UserInclude] | Unset = UNSET,
    fields: list[UserField] | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    params: dict[str, Any] = {}

    json_include: list[str] | Unset = UNSET
    if not isinstance(include, Unset):
        json_include = []
        for include_item_data in include:
            include_item: str = include_item_data
            json_include.append(include_item)

    params["include"] = json_include

    json_fields: list[str] | Unset = UNSET
    if not isinstance(fields, Unset):
        json_fields = []
        for fields_item_data in fields:
            fields_item: str = fields_item_data
            json_fields.append(fields_item)

    params["fields"] = json_fields

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/instances/{instance}/users".format(
            instance=quote(str(instance), safe=""),
        ),
        "params": params,
    }

    if isinstance(body, UserCreateOne):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | UserEnvelope | UserFieldsEnvelope | None:
    if response.status_code == 201:

        def _parse_response_201(data: object) -> UserEnvelope | UserFieldsEnvelope:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_201_type_0 = UserEnvelope.from_dict(data)

                return response_201_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_201_type_1 = UserFieldsEnvelope.from_dict(data)

            return response_201_type_1

        response_201 = _parse_response_201(response.json())

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
) -> Response[Error | UserEnvelope | UserFieldsEnvelope]:
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
    body: UserCreateBulk | UserCreateOne,
    include: list[UserInclude] | Unset = UNSET,
    fields: list[UserField] | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[Error | UserEnvelope | UserFieldsEnvelope]:
    """Create one user or a bulk of 1 to 100

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        include (list[UserInclude] | Unset):
        fields (list[UserField] | Unset):
        idempotency_key (str | Unset):
        body (UserCreateBulk | UserCreateOne): `{"user": {...}}` or `{"users": [{...}, ...]}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | UserEnvelope | UserFieldsEnvelope]
    """

    kwargs = _get_kwargs(
        instance=instance,
        body=body,
        include=include,
        fields=fields,
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
    body: UserCreateBulk | UserCreateOne,
    include: list[UserInclude] | Unset = UNSET,
    fields: list[UserField] | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Error | UserEnvelope | UserFieldsEnvelope | None:
    """Create one user or a bulk of 1 to 100

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        include (list[UserInclude] | Unset):
        fields (list[UserField] | Unset):
        idempotency_key (str | Unset):
        body (UserCreateBulk | UserCreateOne): `{"user": {...}}` or `{"users": [{...}, ...]}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | UserEnvelope | UserFieldsEnvelope
    """

    return sync_detailed(
        instance=instance,
        client=client,
        body=body,
        include=include,
        fields=fields,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    instance: str,
    *,
    client: AuthenticatedClient | Client,
    body: UserCreateBulk | UserCreateOne,
    include: list[UserInclude] | Unset = UNSET,
    fields: list[UserField] | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[Error | UserEnvelope | UserFieldsEnvelope]:
    """Create one user or a bulk of 1 to 100

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        include (list[UserInclude] | Unset):
        fields (list[UserField] | Unset):
        idempotency_key (str | Unset):
        body (UserCreateBulk | UserCreateOne): `{"user": {...}}` or `{"users": [{...}, ...]}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | UserEnvelope | UserFieldsEnvelope]
    """

    kwargs = _get_kwargs(
        instance=instance,
        body=body,
        include=include,
        fields=fields,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    instance: str,
    *,
    client: AuthenticatedClient | Client,
    body: UserCreateBulk | UserCreateOne,
    include: list[UserInclude] | Unset = UNSET,
    fields: list[UserField] | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Error | UserEnvelope | UserFieldsEnvelope | None:
    """Create one user or a bulk of 1 to 100

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        include (list[UserInclude] | Unset):
        fields (list[UserField] | Unset):
        idempotency_key (str | Unset):
        body (UserCreateBulk | UserCreateOne): `{"user": {...}}` or `{"users": [{...}, ...]}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | UserEnvelope | UserFieldsEnvelope
    """

    return (
        await asyncio_detailed(
            instance=instance,
            client=client,
            body=body,
            include=include,
            fields=fields,
            idempotency_key=idempotency_key,
        )
    ).parsed
