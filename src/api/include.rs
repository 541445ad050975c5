//! Sideloads: one query per association, whatever the number of rows (API.md §5).

use std::collections::BTreeMap;

use diesel::QueryResult;
use serde_json::Value;

use super::envelope::Envelope;
use crate::db::memberships::Membership;
use crate::db::{groups, memberships, sideloads, users, AnyConnection};
use crate::domain::id_json;

/// The IDs once each, in ascending order.
pub fn distinct(ids: impl Iterator<Item = i64>) -> Vec<i64> {
    let mut v: Vec<i64> = ids.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// `include=user,group` on memberships.
pub fn for_memberships(
    conn: &mut AnyConnection,
    instance_id: i64,
    rows: &[Membership],
    includes: &[&str],
    env: &mut Envelope,
) -> QueryResult<()> {
    let user_ids = distinct(rows.iter().map(|m| m.user_id));
    let group_ids = distinct(rows.iter().map(|m| m.group_id));
    MembershipSideloads::load(conn, instance_id, &user_ids, &group_ids, includes)?.apply(env);
    Ok(())
}

/// The users and groups `include=user,group` asks for, loaded ahead of time (a create
/// loads them before its write transaction, so they cost no time under the write lock).
#[derive(Default)]
pub struct MembershipSideloads {
    users: Option<Vec<users::User>>,
    groups: Option<Vec<groups::Group>>,
}

impl MembershipSideloads {
    pub fn load(
        conn: &mut AnyConnection,
        instance_id: i64,
        user_ids: &[i64],
        group_ids: &[i64],
        includes: &[&str],
    ) -> QueryResult<Self> {
        let (with_users, with_groups) = (includes.contains(&"user"), includes.contains(&"group"));
        if !with_users && !with_groups {
            return Ok(Self {
                users: None,
                groups: None,
            });
        }
        let (users, groups) = sideloads::users_and_groups(
            conn,
            instance_id,
            if with_users { user_ids } else { &[] },
            if with_groups { group_ids } else { &[] },
        )?;
        Ok(Self {
            users: with_users.then_some(users),
            groups: with_groups.then_some(groups),
        })
    }

    pub fn apply(&self, env: &mut Envelope) {
        if let Some(users) = &self.users {
            env.reserve("users", users.len());
            for u in users {
                env.sideload(u);
            }
        }
        if let Some(groups) = &self.groups {
            env.reserve("groups", groups.len());
            for g in groups {
                env.sideload(g);
            }
        }
    }
}

/// Adds `membership_ids` to each primary object and sideloads the memberships.
fn attach(
    env: &mut Envelope,
    owner_ids: &[i64],
    rows: &[Membership],
    owner: fn(&Membership) -> i64,
) {
    let mut by_owner: BTreeMap<i64, Vec<Value>> =
        owner_ids.iter().map(|id| (*id, Vec::new())).collect();
    env.ensure("memberships");
    for m in rows {
        by_owner.entry(owner(m)).or_default().push(id_json(m.id));
        env.sideload(m);
    }
    env.each_primary(|id, obj| {
        let ids = by_owner.get(&id).cloned().unwrap_or_default();
        obj.insert("membership_ids".into(), Value::Array(ids));
    });
}

/// `include=memberships,memberships.group` on users.
pub fn for_users(
    conn: &mut AnyConnection,
    instance_id: i64,
    user_ids: &[i64],
    includes: &[&str],
    visible_to: Option<i64>,
    env: &mut Envelope,
) -> QueryResult<()> {
    if includes.is_empty() {
        return Ok(());
    }
    let rows = memberships::of_users(conn, instance_id, user_ids, visible_to)?;
    attach(env, user_ids, &rows, |m| m.user_id);
    if includes.contains(&"memberships.group") {
        env.ensure("groups");
        for g in groups::find_many(
            conn,
            instance_id,
            &distinct(rows.iter().map(|m| m.group_id)),
        )? {
            env.sideload(&g);
        }
    }
    Ok(())
}

/// `include=memberships,memberships.user` on groups.
pub fn for_groups(
    conn: &mut AnyConnection,
    instance_id: i64,
    group_ids: &[i64],
    includes: &[&str],
    visible_to: Option<i64>,
    env: &mut Envelope,
) -> QueryResult<()> {
    if includes.is_empty() {
        return Ok(());
    }
    let rows = memberships::of_groups(conn, instance_id, group_ids, visible_to)?;
    attach(env, group_ids, &rows, |m| m.group_id);
    if includes.contains(&"memberships.user") {
        env.ensure("users");
        for u in users::find_many(conn, instance_id, &distinct(rows.iter().map(|m| m.user_id)))? {
            env.sideload(&u);
        }
    }
    Ok(())
}
