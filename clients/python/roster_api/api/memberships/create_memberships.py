from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.membership_create_bulk import MembershipCreateBulk
from ...models.membership_create_one import MembershipCreateOne
from ...models.membership_envelope import MembershipEnvelope
from ...models.membership_field import MembershipField
from ...models.membership_fields_envelope import MembershipFieldsEnvelope
from ...models.membership_include import MembershipInclude
from ...models.on_conflict import OnConflict
from ...types import UNSET, Response, Unset


def _get_kwargs(
    instance: str,
    *,
    body: MembershipCreateBulk | MembershipCreateOne,
    include: list[MembershipInclude] | Unset = UNSET,
    fields: list[MembershipField] | Unset = UNSET,
    on_conflict: OnConflict | Unset = UNSET,
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

    json_on_conflict: str | Unset = UNSET
    if not isinstance(on_conflict, Unset):
        json_on_conflict = on_conflict

    params["on_conflict"] = json_on_conflict

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/instances/{instance}/memberships".format(
            instance=quote(str(instance), safe=""),
        ),
        "params": params,
    }

    if isinstance(body, MembershipCreateOne):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | MembershipEnvelope | MembershipFieldsEnvelope | None:
    if response.status_code == 201:

        def _parse_response_201(
            data: object,
        ) -> MembershipEnvelope | MembershipFieldsEnvelope:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_201_type_0 = MembershipEnvelope.from_dict(data)

                return response_201_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_201_type_1 = MembershipFieldsEnvelope.from_dict(data)

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
) -> Response[Error | MembershipEnvelope | MembershipFieldsEnvelope]:
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
    body: MembershipCreateBulk | MembershipCreateOne,
    include: list[MembershipInclude] | Unset = UNSET,
    fields: list[MembershipField] | Unset = UNSET,
    on_conflict: OnConflict | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[Error | MembershipEnvelope | MembershipFieldsEnvelope]:
    """Create one membership or a bulk of 1 to 100

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        include (list[MembershipInclude] | Unset):
        fields (list[MembershipField] | Unset):
        on_conflict (OnConflict | Unset): `on_conflict` of a membership create.
        idempotency_key (str | Unset):
        body (MembershipCreateBulk | MembershipCreateOne): `{"membership": {...}}` or
            `{"memberships": [{...}, ...]}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | MembershipEnvelope | MembershipFieldsEnvelope]
    """

    kwargs = _get_kwargs(
        instance=instance,
        body=body,
        include=include,
        fields=fields,
        on_conflict=on_conflict,
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
    body: MembershipCreateBulk | MembershipCreateOne,
    include: list[MembershipInclude] | Unset = UNSET,
    fields: list[MembershipField] | Unset = UNSET,
    on_conflict: OnConflict | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Error | MembershipEnvelope | MembershipFieldsEnvelope | None:
    """Create one membership or a bulk of 1 to 100

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        include (list[MembershipInclude] | Unset):
        fields (list[MembershipField] | Unset):
        on_conflict (OnConflict | Unset): `on_conflict` of a membership create.
        idempotency_key (str | Unset):
        body (MembershipCreateBulk | MembershipCreateOne): `{"membership": {...}}` or
            `{"memberships": [{...}, ...]}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | MembershipEnvelope | MembershipFieldsEnvelope
    """

    return sync_detailed(
        instance=instance,
        client=client,
        body=body,
        include=include,
        fields=fields,
        on_conflict=on_conflict,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    instance: str,
    *,
    client: AuthenticatedClient | Client,
    body: MembershipCreateBulk | MembershipCreateOne,
    include: list[MembershipInclude] | Unset = UNSET,
    fields: list[MembershipField] | Unset = UNSET,
    on_conflict: OnConflict | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[Error | MembershipEnvelope | MembershipFieldsEnvelope]:
    """Create one membership or a bulk of 1 to 100

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        include (list[MembershipInclude] | Unset):
        fields (list[MembershipField] | Unset):
        on_conflict (OnConflict | Unset): `on_conflict` of a membership create.
        idempotency_key (str | Unset):
        body (MembershipCreateBulk | MembershipCreateOne): `{"membership": {...}}` or
            `{"memberships": [{...}, ...]}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | MembershipEnvelope | MembershipFieldsEnvelope]
    """

    kwargs = _get_kwargs(
        instance=instance,
        body=body,
        include=include,
        fields=fields,
        on_conflict=on_conflict,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    instance: str,
    *,
    client: AuthenticatedClient | Client,
    body: MembershipCreateBulk | MembershipCreateOne,
    include: list[MembershipInclude] | Unset = UNSET,
    fields: list[MembershipField] | Unset = UNSET,
    on_conflict: OnConflict | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Error | MembershipEnvelope | MembershipFieldsEnvelope | None:
    """Create one membership or a bulk of 1 to 100

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        include (list[MembershipInclude] | Unset):
        fields (list[MembershipField] | Unset):
        on_conflict (OnConflict | Unset): `on_conflict` of a membership create.
        idempotency_key (str | Unset):
        body (MembershipCreateBulk | MembershipCreateOne): `{"membership": {...}}` or
            `{"memberships": [{...}, ...]}`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | MembershipEnvelope | MembershipFieldsEnvelope
    """

    return (
        await asyncio_detailed(
            instance=instance,
            client=client,
            body=body,
            include=include,
            fields=fields,
            on_conflict=on_conflict,
            idempotency_key=idempotency_key,
        )
    ).parsed
