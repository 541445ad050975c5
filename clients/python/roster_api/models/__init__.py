"""Contains all the data models used in inputs/outputs"""

from .admin_key_new import AdminKeyNew
from .admin_key_new_role import AdminKeyNewRole
from .api_key import ApiKey
from .api_key_create import ApiKeyCreate
from .api_key_envelope import ApiKeyEnvelope
from .api_key_field import ApiKeyField
from .api_key_fields import ApiKeyFields
from .api_key_fields_envelope import ApiKeyFieldsEnvelope
from .api_key_fields_map import ApiKeyFieldsMap
from .api_key_map import ApiKeyMap
from .api_key_order import ApiKeyOrder
from .api_key_result import ApiKeyResult
from .api_key_result_key import ApiKeyResultKey
from .barrier import Barrier
from .barrier_create_bulk import BarrierCreateBulk
from .barrier_create_one import BarrierCreateOne
from .barrier_envelope import BarrierEnvelope
from .barrier_field import BarrierField
from .barrier_fields import BarrierFields
from .barrier_fields_envelope import BarrierFieldsEnvelope
from .barrier_fields_map import BarrierFieldsMap
from .barrier_map import BarrierMap
from .barrier_new import BarrierNew
from .barrier_order import BarrierOrder
from .barrier_result import BarrierResult
from .barrier_result_key import BarrierResultKey
from .configurable_permissions import ConfigurablePermissions
from .error import Error
from .error_entry import ErrorEntry
from .error_type import ErrorType
from .event import Event
from .event_actor import EventActor
from .event_actor_kind import EventActorKind
from .event_data import EventData
from .event_envelope import EventEnvelope
from .event_map import EventMap
from .event_meta import EventMeta
from .event_previous_type_0 import EventPreviousType0
from .event_result import EventResult
from .event_result_key import EventResultKey
from .event_source import EventSource
from .event_type import EventType
from .group import Group
from .group_changes import GroupChanges
from .group_create_bulk import GroupCreateBulk
from .group_create_one import GroupCreateOne
from .group_envelope import GroupEnvelope
from .group_field import GroupField
from .group_fields import GroupFields
from .group_fields_envelope import GroupFieldsEnvelope
from .group_fields_map import GroupFieldsMap
from .group_include import GroupInclude
from .group_map import GroupMap
from .group_new import GroupNew
from .group_order import GroupOrder
from .group_result import GroupResult
from .group_result_key import GroupResultKey
from .group_update import GroupUpdate
from .group_users_create_bulk import GroupUsersCreateBulk
from .group_users_create_one import GroupUsersCreateOne
from .instance import Instance
from .instance_changes import InstanceChanges
from .instance_create import InstanceCreate
from .instance_envelope import InstanceEnvelope
from .instance_field import InstanceField
from .instance_fields import InstanceFields
from .instance_fields_envelope import InstanceFieldsEnvelope
from .instance_fields_map import InstanceFieldsMap
from .instance_map import InstanceMap
from .instance_new import InstanceNew
from .instance_order import InstanceOrder
from .instance_result import InstanceResult
from .instance_result_key import InstanceResultKey
from .instance_update import InstanceUpdate
from .key_role import KeyRole
from .list_events_source import ListEventsSource
from .list_events_types_item import ListEventsTypesItem
from .live import Live
from .live_status import LiveStatus
from .membership import Membership
from .membership_changes import MembershipChanges
from .membership_create_bulk import MembershipCreateBulk
from .membership_create_one import MembershipCreateOne
from .membership_envelope import MembershipEnvelope
from .membership_field import MembershipField
from .membership_fields import MembershipFields
from .membership_fields_envelope import MembershipFieldsEnvelope
from .membership_fields_map import MembershipFieldsMap
from .membership_include import MembershipInclude
from .membership_map import MembershipMap
from .membership_new import MembershipNew
from .membership_order import MembershipOrder
from .membership_result import MembershipResult
from .membership_result_key import MembershipResultKey
from .membership_update import MembershipUpdate
from .meta import Meta
from .on_conflict import OnConflict
from .openapi_response_200 import OpenapiResponse200
from .principal import Principal
from .ready import Ready
from .ready_status import ReadyStatus
from .role import Role
from .stream_events_source import StreamEventsSource
from .stream_events_types_item import StreamEventsTypesItem
from .user import User
from .user_changes import UserChanges
from .user_create_bulk import UserCreateBulk
from .user_create_one import UserCreateOne
from .user_envelope import UserEnvelope
from .user_field import UserField
from .user_fields import UserFields
from .user_fields_envelope import UserFieldsEnvelope
from .user_fields_map import UserFieldsMap
from .user_include import UserInclude
from .user_key_new import UserKeyNew
from .user_key_new_role import UserKeyNewRole
from .user_map import UserMap
from .user_new import UserNew
from .user_order import UserOrder
from .user_result import UserResult
from .user_result_key import UserResultKey
from .user_update import UserUpdate
from .webhook import Webhook
from .webhook_changes import WebhookChanges
from .webhook_create import WebhookCreate
from .webhook_delivery import WebhookDelivery
from .webhook_delivery_envelope import WebhookDeliveryEnvelope
from .webhook_delivery_field import WebhookDeliveryField
from .webhook_delivery_fields import WebhookDeliveryFields
from .webhook_delivery_fields_envelope import WebhookDeliveryFieldsEnvelope
from .webhook_delivery_fields_map import WebhookDeliveryFieldsMap
from .webhook_delivery_map import WebhookDeliveryMap
from .webhook_delivery_order import WebhookDeliveryOrder
from .webhook_delivery_result import WebhookDeliveryResult
from .webhook_delivery_result_key import WebhookDeliveryResultKey
from .webhook_envelope import WebhookEnvelope
from .webhook_event_type import WebhookEventType
from .webhook_field import WebhookField
from .webhook_fields import WebhookFields
from .webhook_fields_envelope import WebhookFieldsEnvelope
from .webhook_fields_map import WebhookFieldsMap
from .webhook_map import WebhookMap
from .webhook_new import WebhookNew
from .webhook_order import WebhookOrder
from .webhook_result import WebhookResult
from .webhook_result_key import WebhookResultKey
from .webhook_update import WebhookUpdate

__all__ = (
    "AdminKeyNew",
    "AdminKeyNewRole",
    "ApiKey",
    "ApiKeyCreate",
    "ApiKeyEnvelope",
    "ApiKeyField",
    "ApiKeyFields",
    "ApiKeyFieldsEnvelope",
    "ApiKeyFieldsMap",
    "ApiKeyMap",
    "ApiKeyOrder",
    "ApiKeyResult",
    "ApiKeyResultKey",
    "Barrier",
    "BarrierCreateBulk",
    "BarrierCreateOne",
    "BarrierEnvelope",
    "BarrierField",
    "BarrierFields",
    "BarrierFieldsEnvelope",
    "BarrierFieldsMap",
    "BarrierMap",
    "BarrierNew",
    "BarrierOrder",
    "BarrierResult",
    "BarrierResultKey",
    "ConfigurablePermissions",
    "Error",
    "ErrorEntry",
    "ErrorType",
    "Event",
    "EventActor",
    "EventActorKind",
    "EventData",
    "EventEnvelope",
    "EventMap",
    "EventMeta",
    "EventPreviousType0",
    "EventResult",
    "EventResultKey",
    "EventSource",
    "EventType",
    "Group",
    "GroupChanges",
    "GroupCreateBulk",
    "GroupCreateOne",
    "GroupEnvelope",
    "GroupField",
    "GroupFields",
    "GroupFieldsEnvelope",
    "GroupFieldsMap",
    "GroupInclude",
    "GroupMap",
    "GroupNew",
    "GroupOrder",
    "GroupResult",
    "GroupResultKey",
    "GroupUpdate",
    "GroupUsersCreateBulk",
    "GroupUsersCreateOne",
    "Instance",
    "InstanceChanges",
    "InstanceCreate",
    "InstanceEnvelope",
    "InstanceField",
    "InstanceFields",
    "InstanceFieldsEnvelope",
    "InstanceFieldsMap",
    "InstanceMap",
    "InstanceNew",
    "InstanceOrder",
    "InstanceResult",
    "InstanceResultKey",
    "InstanceUpdate",
    "KeyRole",
    "ListEventsSource",
    "ListEventsTypesItem",
    "Live",
    "LiveStatus",
    "Membership",
    "MembershipChanges",
    "MembershipCreateBulk",
    "MembershipCreateOne",
    "MembershipEnvelope",
    "MembershipField",
    "MembershipFields",
    "MembershipFieldsEnvelope",
    "MembershipFieldsMap",
    "MembershipInclude",
    "MembershipMap",
    "MembershipNew",
    "MembershipOrder",
    "MembershipResult",
    "MembershipResultKey",
    "MembershipUpdate",
    "Meta",
    "OnConflict",
    "OpenapiResponse200",
    "Principal",
    "Ready",
    "ReadyStatus",
    "Role",
    "StreamEventsSource",
    "StreamEventsTypesItem",
    "User",
    "UserChanges",
    "UserCreateBulk",
    "UserCreateOne",
    "UserEnvelope",
    "UserField",
    "UserFields",
    "UserFieldsEnvelope",
    "UserFieldsMap",
    "UserInclude",
    "UserKeyNew",
    "UserKeyNewRole",
    "UserMap",
    "UserNew",
    "UserOrder",
    "UserResult",
    "UserResultKey",
    "UserUpdate",
    "Webhook",
    "WebhookChanges",
    "WebhookCreate",
    "WebhookDelivery",
    "WebhookDeliveryEnvelope",
    "WebhookDeliveryField",
    "WebhookDeliveryFields",
    "WebhookDeliveryFieldsEnvelope",
    "WebhookDeliveryFieldsMap",
    "WebhookDeliveryMap",
    "WebhookDeliveryOrder",
    "WebhookDeliveryResult",
    "WebhookDeliveryResultKey",
    "WebhookEnvelope",
    "WebhookEventType",
    "WebhookField",
    "WebhookFields",
    "WebhookFieldsEnvelope",
    "WebhookFieldsMap",
    "WebhookMap",
    "WebhookNew",
    "WebhookOrder",
    "WebhookResult",
    "WebhookResultKey",
    "WebhookUpdate",
)
