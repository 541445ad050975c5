import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.group_envelope import GroupEnvelope
from ...models.group_field import GroupField
from ...models.group_fields_envelope import GroupFieldsEnvelope
from ...models.group_include import GroupInclude
from ...models.group_order import GroupOrder
from ...types import UNSET, Response, Unset


def _get_kwargs(
    instance: str,
    *,
    ids: list[str] | Unset = UNSET,
    name: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    updated_after: datetime.datetime | Unset = UNSET,
    order: GroupOrder | Unset = UNSET,
    page: int | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: str | Unset = UNSET,
    include: list[GroupInclude] | Unset = UNSET,
    fields: list[GroupField] | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_ids: list[str] | Unset = UNSET
    if not isinstance(ids, Unset):
        json_ids = ids

    params["ids"] = json_ids

    params["name"] = name

    params["external_id"] = external_id

    json_created_after: str | Unset = UNSET
    if not isinstance(created_after, Unset):
        json_created_after = created_after.isoformat()
    params["created_after"] = json_created_after

    json_updated_after: str | Unset = UNSET
    if not isinstance(updated_after, Unset):
        json_updated_after = updated_after.isoformat()
    params["updated_after"] = json_updated_after

    json_order: str | Unset = UNSET
    if not isinstance(order, Unset):
        json_order = order

    params["order"] = json_order

    params["page"] = page

    params["per_page"] = per_page

    params["cursor"] = cursor

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
        "method": "get",
        "url": "/instances/{instance}/groups".format(
            instance=quote(str(instance), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | GroupEnvelope | GroupFieldsEnvelope | None:
    if response.status_code == 200:

        def _parse_response_200(data: object) -> GroupEnvelope | GroupFieldsEnvelope:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_0 = GroupEnvelope.from_dict(data)

                return response_200_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_200_type_1 = GroupFieldsEnvelope.from_dict(data)

            return response_200_type_1

        response_200 = _parse_response_200(response.json())

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
) -> Response[Error | GroupEnvelope | GroupFieldsEnvelope]:
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
    ids: list[str] | Unset = UNSET,
    name: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    updated_after: datetime.datetime | Unset = UNSET,
    order: GroupOrder | Unset = UNSET,
    page: int | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: str | Unset = UNSET,
    include: list[GroupInclude] | Unset = UNSET,
    fields: list[GroupField] | Unset = UNSET,
) -> Response[Error | GroupEnvelope | GroupFieldsEnvelope]:
    """List groups

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        ids (list[str] | Unset):
        name (str | Unset):
        external_id (str | Unset):
        created_after (datetime.datetime | Unset):
        updated_after (datetime.datetime | Unset):
        order (GroupOrder | Unset): How order= sorts Groups (field or field:asc|desc)
        page (int | Unset):
        per_page (int | Unset):  Default: 20.
        cursor (str | Unset):
        include (list[GroupInclude] | Unset):
        fields (list[GroupField] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | GroupEnvelope | GroupFieldsEnvelope]
    """

    kwargs = _get_kwargs(
        instance=instance,
        ids=ids,
        name=name,
        external_id=external_id,
        created_after=created_after,
        updated_after=updated_after,
        order=order,
        page=page,
        per_page=per_page,
        cursor=cursor,
        include=include,
        fields=fields,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    instance: str,
    *,
    client: AuthenticatedClient | Client,
    ids: list[str] | Unset = UNSET,
    name: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    updated_after: datetime.datetime | Unset = UNSET,
    order: GroupOrder | Unset = UNSET,
    page: int | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: str | Unset = UNSET,
    include: list[GroupInclude] | Unset = UNSET,
    fields: list[GroupField] | Unset = UNSET,
) -> Error | GroupEnvelope | GroupFieldsEnvelope | None:
    """List groups

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        ids (list[str] | Unset):
        name (str | Unset):
        external_id (str | Unset):
        created_after (datetime.datetime | Unset):
        updated_after (datetime.datetime | Unset):
        order (GroupOrder | Unset): How order= sorts Groups (field or field:asc|desc)
        page (int | Unset):
        per_page (int | Unset):  Default: 20.
        cursor (str | Unset):
        include (list[GroupInclude] | Unset):
        fields (list[GroupField] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | GroupEnvelope | GroupFieldsEnvelope
    """

    return sync_detailed(
        instance=instance,
        client=client,
        ids=ids,
        name=name,
        external_id=external_id,
        created_after=created_after,
        updated_after=updated_after,
        order=order,
        page=page,
        per_page=per_page,
        cursor=cursor,
        include=include,
        fields=fields,
    ).parsed


async def asyncio_detailed(
    instance: str,
    *,
    client: AuthenticatedClient | Client,
    ids: list[str] | Unset = UNSET,
    name: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    updated_after: datetime.datetime | Unset = UNSET,
    order: GroupOrder | Unset = UNSET,
    page: int | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: str | Unset = UNSET,
    include: list[GroupInclude] | Unset = UNSET,
    fields: list[GroupField] | Unset = UNSET,
) -> Response[Error | GroupEnvelope | GroupFieldsEnvelope]:
    """List groups

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        ids (list[str] | Unset):
        name (str | Unset):
        external_id (str | Unset):
        created_after (datetime.datetime | Unset):
        updated_after (datetime.datetime | Unset):
        order (GroupOrder | Unset): How order= sorts Groups (field or field:asc|desc)
        page (int | Unset):
        per_page (int | Unset):  Default: 20.
        cursor (str | Unset):
        include (list[GroupInclude] | Unset):
        fields (list[GroupField] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | GroupEnvelope | GroupFieldsEnvelope]
    """

    kwargs = _get_kwargs(
        instance=instance,
        ids=ids,
        name=name,
        external_id=external_id,
        created_after=created_after,
        updated_after=updated_after,
        order=order,
        page=page,
        per_page=per_page,
        cursor=cursor,
        include=include,
        fields=fields,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    instance: str,
    *,
    client: AuthenticatedClient | Client,
    ids: list[str] | Unset = UNSET,
    name: str | Unset = UNSET,
    external_id: str | Unset = UNSET,
    created_after: datetime.datetime | Unset = UNSET,
    updated_after: datetime.datetime | Unset = UNSET,
    order: GroupOrder | Unset = UNSET,
    page: int | Unset = UNSET,
    per_page: int | Unset = 20,
    cursor: str | Unset = UNSET,
    include: list[GroupInclude] | Unset = UNSET,
    fields: list[GroupField] | Unset = UNSET,
) -> Error | GroupEnvelope | GroupFieldsEnvelope | None:
    """List groups

    Args:
        instance (str): 2-63 of a-z, 0-9 and -, starting with a letter or digit
        ids (list[str] | Unset):
        name (str | Unset):
        external_id (str | Unset):
        created_after (datetime.datetime | Unset):
        updated_after (datetime.datetime | Unset):
        order (GroupOrder | Unset): How order= sorts Groups (field or field:asc|desc)
        page (int | Unset):
        per_page (int | Unset):  Default: 20.
        cursor (str | Unset):
        include (list[GroupInclude] | Unset):
        fields (list[GroupField] | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | GroupEnvelope | GroupFieldsEnvelope
    """

    return (
        await asyncio_detailed(
            instance=instance,
            client=client,
            ids=ids,
            name=name,
            external_id=external_id,
            created_after=created_after,
            updated_after=updated_after,
            order=order,
            page=page,
            per_page=per_page,
            cursor=cursor,
            include=include,
            fields=fields,
        )
    ).parsed
