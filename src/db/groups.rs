//! The `groups` table.

use chrono::NaiveDateTime;

use super::time::Ts;
use diesel::prelude::*;

use super::listing::{Common, Page, Window};
use super::schema::{groups, memberships};
use super::{AnyConnection, Db};
use crate::apply_common;
use crate::domain::{GroupId, InstanceId, UserId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = groups)]
pub struct Group {
    pub instance_id: InstanceId,
    pub id: GroupId,
    pub name: String,
    pub description: Option<String>,
    pub external_id: Option<String>,
    pub created_at: Ts,
    pub updated_at: Ts,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = groups, treat_none_as_default_value = false)]
pub struct NewGroup {
    pub instance_id: InstanceId,
    pub name: String,
    pub description: Option<String>,
    pub external_id: Option<String>,
    pub created_at: Ts,
    pub updated_at: Ts,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = groups)]
pub struct GroupChanges {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub external_id: Option<Option<String>>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Default)]
pub struct GroupFilter {
    pub common: Common,
    pub name: Option<String>,
    pub external_id: Option<String>,
    /// Only the groups this user belongs to.
    pub visible_to: Option<UserId>,
}

crate::directory_queries!(
    groups,
    Group,
    GroupId,
    NewGroup,
    GroupChanges,
    GroupFilter,
    name
);

fn filtered(instance_id: InstanceId, f: &GroupFilter) -> groups::BoxedQuery<'static, Db> {
    let mut q = groups::table
        .filter(groups::instance_id.eq(instance_id))
        .into_boxed::<Db>();
    apply_common!(q, groups, f.common);
    if let Some(n) = &f.name {
        q = q.filter(groups::name.eq(n.clone()));
    }
    if let Some(x) = &f.external_id {
        q = q.filter(groups::external_id.eq(x.clone()));
    }
    if let Some(viewer) = f.visible_to {
        let mine = memberships::table
            .filter(memberships::instance_id.eq(instance_id))
            .filter(memberships::user_id.eq(viewer))
            .select(memberships::group_id);
        q = q.filter(groups::id.eq_any(mine));
    }
    q
}
