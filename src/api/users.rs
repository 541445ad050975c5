//! Users: people or service accounts of an instance. How their bodies and filters
//! read; the handlers are `directory`'s.

use serde_json::Value;

use super::body::FieldReader;
use super::directory::Door;
use super::query::{ListSpec, Params};
use crate::db::listing::Common;
use crate::db::now;
use crate::db::users::{NewUser, UserChanges, UserFilter};
use crate::domain::{
    parse_active, parse_text, AvatarUrl, Email, ExternalId, InstanceId, Principal, UserId,
    Username, MAX_NAME,
};
use crate::error::{ApiError, ErrorItem};
use crate::service::directory::Users;

pub const SPEC: ListSpec = ListSpec {
    filters: &["username", "principal", "external_id", "active"],
    name_field: Some("username"),
    has_updated: true,
    includes: &["memberships", "memberships.group"],
    fields: &[
        "username",
        "name",
        "email",
        "avatar_url",
        "principal",
        "active",
        "external_id",
        "created_at",
        "updated_at",
    ],
};

fn name(v: &Value) -> Result<Option<String>, String> {
    parse_text(v, MAX_NAME)
}

pub struct UsersDoor;

impl Door for UsersDoor {
    type Kind = Users;
    const SINGULAR: &'static str = "user";
    const PLURAL: &'static str = "users";
    const SPEC: ListSpec = SPEC;

    fn parse_new(
        value: Value,
        index: Option<usize>,
        instance_id: InstanceId,
        errors: &mut Vec<ErrorItem>,
    ) -> Option<NewUser> {
        let mut r = FieldReader::new(value, index, "user", errors)?;
        let username = r.required("username", Username::parse);
        let name = r.optional("name", name).flatten();
        let email = r.optional("email", Email::parse).flatten();
        let avatar_url = r.optional("avatar_url", AvatarUrl::parse).flatten();
        let principal = r
            .optional("principal", Principal::parse)
            .unwrap_or(Principal::User);
        let active = r.optional("active", parse_active).unwrap_or(true);
        let external_id = r.optional("external_id", ExternalId::parse).flatten();
        let ok = r.finish();
        let t = now();
        (ok && username.is_some()).then(|| NewUser {
            instance_id,
            username: username.map(Username::into_inner).unwrap_or_default(),
            name,
            email: email.map(Email::into_inner),
            avatar_url: avatar_url.map(AvatarUrl::into_inner),
            principal,
            active,
            external_id: external_id.map(ExternalId::into_inner),
            created_at: t.into(),
            updated_at: t.into(),
        })
    }

    fn parse_changes(r: &mut FieldReader) -> UserChanges {
        UserChanges {
            username: r
                .optional("username", Username::parse)
                .map(Username::into_inner),
            name: r.optional("name", name),
            email: r
                .optional("email", Email::parse)
                .map(|e| e.map(Email::into_inner)),
            avatar_url: r
                .optional("avatar_url", AvatarUrl::parse)
                .map(|a| a.map(AvatarUrl::into_inner)),
            principal: r.optional("principal", Principal::parse),
            active: r.optional("active", parse_active),
            external_id: r
                .optional("external_id", ExternalId::parse)
                .map(|x| x.map(ExternalId::into_inner)),
            updated_at: Some(now()),
        }
    }

    fn filter(
        raw: &Params,
        common: Common,
        viewer: Option<UserId>,
    ) -> Result<UserFilter, ApiError> {
        let principal = raw
            .get("principal")
            .map(|v| {
                Principal::parse_str(v).ok_or_else(|| {
                    ApiError::bad_param("principal", "principal must be user or service_account")
                })
            })
            .transpose()?;
        let active = raw
            .get("active")
            .map(|v| match v {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(ApiError::bad_param(
                    "active",
                    "active must be true or false",
                )),
            })
            .transpose()?;
        Ok(UserFilter {
            common,
            username: raw.get("username").map(str::to_string),
            principal,
            external_id: raw.get("external_id").map(str::to_string),
            active,
            visible_to: viewer,
        })
    }
}
