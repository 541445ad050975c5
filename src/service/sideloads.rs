//! Includes (API.md §5): the associations a request asks for, loaded with one query
//! per association whatever the number of rows. The door puts them in its envelope.

use diesel::QueryResult;

use super::bulk::distinct;
pub use crate::db::groups::Group;
pub use crate::db::memberships::Membership;
pub use crate::db::users::User;
use crate::db::{groups, memberships, sideloads, users, AnyConnection};
use crate::domain::{GroupId, InstanceId, UserId};

/// The users and groups `include=user,group` asks for on memberships, loaded ahead of
/// time (a create loads them before its write transaction, so they cost no time under
/// the write lock).
#[derive(Default)]
pub struct MembershipSideloads {
    pub users: Option<Vec<User>>,
    pub groups: Option<Vec<Group>>,
}

impl MembershipSideloads {
    pub fn load(
        conn: &mut AnyConnection,
        instance_id: InstanceId,
        user_ids: &[UserId],
        group_ids: &[GroupId],
        includes: &[&str],
    ) -> QueryResult<Self> {
        let (with_users, with_groups) = (includes.contains(&"user"), includes.contains(&"group"));
        if !with_users && !with_groups {
            return Ok(Self::default());
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

    /// The sideloads of these memberships.
    pub fn of(
        conn: &mut AnyConnection,
        instance_id: InstanceId,
        rows: &[Membership],
        includes: &[&str],
    ) -> QueryResult<Self> {
        let user_ids = distinct(rows.iter().map(|m| m.user_id));
        let group_ids = distinct(rows.iter().map(|m| m.group_id));
        Self::load(conn, instance_id, &user_ids, &group_ids, includes)
    }
}

/// `include=memberships` on users or groups: their memberships, and with
/// `memberships.group` (on users) or `memberships.user` (on groups) the other side.
pub struct OwnedMemberships {
    pub memberships: Vec<Membership>,
    pub users: Option<Vec<User>>,
    pub groups: Option<Vec<Group>>,
}

/// Which side of a membership owns it in a list of users or of groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    User,
    Group,
}

/// The objects whose memberships an include asks for.
#[derive(Debug, Clone, Copy)]
pub enum Owners<'a> {
    Users(&'a [UserId]),
    Groups(&'a [GroupId]),
}

impl Owner {
    /// The owner's ID, as the envelope keys it.
    pub fn of(self, m: &Membership) -> i64 {
        match self {
            Self::User => m.user_id.get(),
            Self::Group => m.group_id.get(),
        }
    }
}

/// The memberships of `owner_ids` the includes ask for (`None` without includes).
pub fn owned_memberships(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    owners: Owners<'_>,
    includes: &[&str],
    visible_to: Option<UserId>,
) -> QueryResult<Option<OwnedMemberships>> {
    if includes.is_empty() {
        return Ok(None);
    }
    let mut owned = OwnedMemberships {
        memberships: Vec::new(),
        users: None,
        groups: None,
    };
    match owners {
        Owners::Users(ids) => {
            owned.memberships = memberships::of_users(conn, instance_id, ids, visible_to)?;
            if includes.contains(&"memberships.group") {
                let ids = distinct(owned.memberships.iter().map(|m| m.group_id));
                owned.groups = Some(groups::find_many(conn, instance_id, &ids)?);
            }
        }
        Owners::Groups(ids) => {
            owned.memberships = memberships::of_groups(conn, instance_id, ids, visible_to)?;
            if includes.contains(&"memberships.user") {
                let ids = distinct(owned.memberships.iter().map(|m| m.user_id));
                owned.users = Some(users::find_many(conn, instance_id, &ids)?);
            }
        }
    }
    Ok(Some(owned))
}
