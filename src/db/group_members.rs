//! A group's members as the SCIM door shows and changes them: (user id, username) per
//! group, and removing many members of one group in one statement.

use diesel::prelude::*;

use super::memberships::Membership;
use super::schema::{memberships, users};
use super::AnyConnection;
use crate::domain::{GroupId, InstanceId, UserId};
use crate::per_backend;

/// One member of a group, with the username it is displayed by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub group_id: GroupId,
    pub user_id: UserId,
    pub username: String,
}

/// The members of these groups, by group then user id.
pub fn of_groups(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    group_ids: &[GroupId],
) -> QueryResult<Vec<Member>> {
    if group_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(GroupId, UserId, String)> = memberships::table
        .inner_join(
            users::table.on(users::instance_id
                .eq(memberships::instance_id)
                .and(users::id.eq(memberships::user_id))),
        )
        .filter(memberships::instance_id.eq(instance_id))
        .filter(memberships::group_id.eq_any(group_ids))
        .order((memberships::group_id.asc(), memberships::user_id.asc()))
        .select((memberships::group_id, memberships::user_id, users::username))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(group_id, user_id, username)| Member {
            group_id,
            user_id,
            username,
        })
        .collect())
}

/// The user ids of the group's members.
pub fn user_ids(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    group_id: GroupId,
) -> QueryResult<Vec<UserId>> {
    memberships::table
        .filter(memberships::instance_id.eq(instance_id))
        .filter(memberships::group_id.eq(group_id))
        .select(memberships::user_id)
        .load(conn)
}

/// Removes these users' memberships of the group in one statement; the removed rows.
pub fn remove(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    group_id: GroupId,
    user_ids: &[UserId],
) -> QueryResult<Vec<Membership>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    per_backend!(conn, |c| diesel::delete(
        memberships::table
            .filter(memberships::instance_id.eq(instance_id))
            .filter(memberships::group_id.eq(group_id))
            .filter(memberships::user_id.eq_any(user_ids))
    )
    .returning(Membership::as_returning())
    .get_results(c))
}
