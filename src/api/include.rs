//! Includes (API.md §5) in the envelope: the rows `service::sideloads` loaded, one
//! query per association, sideloaded beside the primary objects.

use std::collections::BTreeMap;

use serde_json::Value;

use super::envelope::Envelope;
use crate::domain::id_json;
use crate::service::sideloads::{MembershipSideloads, OwnedMemberships, Owner};

/// `include=user,group` on memberships.
pub fn apply_membership_sideloads(s: &MembershipSideloads, env: &mut Envelope) {
    if let Some(users) = &s.users {
        env.reserve("users", users.len());
        for u in users {
            env.sideload(u);
        }
    }
    if let Some(groups) = &s.groups {
        env.reserve("groups", groups.len());
        for g in groups {
            env.sideload(g);
        }
    }
}

/// `include=memberships[,memberships.group|user]` on users or groups: adds
/// `membership_ids` to each primary object and sideloads the memberships, then the
/// other side.
pub fn apply_owned(
    owned: Option<&OwnedMemberships>,
    owner: Owner,
    owner_ids: &[i64],
    env: &mut Envelope,
) {
    let Some(owned) = owned else { return };
    let mut by_owner: BTreeMap<i64, Vec<Value>> =
        owner_ids.iter().map(|id| (*id, Vec::new())).collect();
    env.ensure("memberships");
    for m in &owned.memberships {
        by_owner
            .entry(owner.of(m))
            .or_default()
            .push(id_json(m.id.get()));
        env.sideload(m);
    }
    env.each_primary(|id, obj| {
        let ids = by_owner.get(&id).cloned().unwrap_or_default();
        obj.insert("membership_ids".into(), Value::Array(ids));
    });
    if let Some(groups) = &owned.groups {
        env.ensure("groups");
        for g in groups {
            env.sideload(g);
        }
    }
    if let Some(users) = &owned.users {
        env.ensure("users");
        for u in users {
            env.sideload(u);
        }
    }
}
