//! Groups of an instance. How their bodies and filters read; the handlers are
//! `directory`'s.

use serde_json::Value;

use super::body::FieldReader;
use super::directory::Door;
use super::query::{ListSpec, Params};
use crate::db::groups::{GroupChanges, GroupFilter, NewGroup};
use crate::db::listing::Common;
use crate::db::now;
use crate::domain::{parse_text, ExternalId, GroupName, InstanceId, UserId, MAX_DESCRIPTION};
use crate::error::{ApiError, ErrorItem};
use crate::service::directory::Groups;

pub const SPEC: ListSpec = ListSpec {
    filters: &["name", "external_id"],
    name_field: Some("name"),
    has_updated: true,
    includes: &["memberships", "memberships.user"],
    fields: &[
        "name",
        "description",
        "external_id",
        "created_at",
        "updated_at",
    ],
};

fn description(v: &Value) -> Result<Option<String>, String> {
    parse_text(v, MAX_DESCRIPTION)
}

pub struct GroupsDoor;

impl Door for GroupsDoor {
    type Kind = Groups;
    const SINGULAR: &'static str = "group";
    const PLURAL: &'static str = "groups";
    const SPEC: ListSpec = SPEC;

    fn parse_new(
        value: Value,
        index: Option<usize>,
        instance_id: InstanceId,
        errors: &mut Vec<ErrorItem>,
    ) -> Option<NewGroup> {
        let mut r = FieldReader::new(value, index, "group", errors)?;
        let name = r.required("name", GroupName::parse);
        let description = r.optional("description", description).flatten();
        let external_id = r.optional("external_id", ExternalId::parse).flatten();
        let ok = r.finish();
        let t = now();
        match (ok, name) {
            (true, Some(name)) => Some(NewGroup {
                instance_id,
                name: name.into_inner(),
                description,
                external_id: external_id.map(ExternalId::into_inner),
                created_at: t.into(),
                updated_at: t.into(),
            }),
            _ => None,
        }
    }

    fn parse_changes(r: &mut FieldReader) -> GroupChanges {
        GroupChanges {
            name: r
                .optional("name", GroupName::parse)
                .map(GroupName::into_inner),
            description: r.optional("description", description),
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
    ) -> Result<GroupFilter, ApiError> {
        Ok(GroupFilter {
            common,
            name: raw.get("name").map(str::to_string),
            external_id: raw.get("external_id").map(str::to_string),
            visible_to: viewer,
        })
    }
}
