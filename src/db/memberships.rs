//! The `memberships` table.

use chrono::NaiveDateTime;

use super::time::Ts;
use diesel::prelude::*;

use super::bulk_insert::{sqlite_chunks, BulkInsert, Guard, SqliteBulkInsert};
use super::listing::{Common, Page, Window};
use super::schema::memberships;
use super::{AnyConnection, Db};
use crate::domain::{GroupId, InstanceId, MembershipId, Role, UserId};
use crate::{apply_common, apply_window, per_backend};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = memberships)]
pub struct Membership {
    pub instance_id: InstanceId,
    pub id: MembershipId,
    pub user_id: UserId,
    pub group_id: GroupId,
    pub role: Role,
    pub configurable_permissions: Option<String>,
    pub created_at: Ts,
    pub updated_at: Ts,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = memberships, treat_none_as_default_value = false)]
pub struct NewMembership {
    pub instance_id: InstanceId,
    pub user_id: UserId,
    pub group_id: GroupId,
    pub role: Role,
    pub configurable_permissions: Option<String>,
    pub created_at: Ts,
    pub updated_at: Ts,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = memberships)]
pub struct MembershipChanges {
    pub role: Option<Role>,
    pub configurable_permissions: Option<Option<String>>,
    pub updated_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Default)]
pub struct MembershipFilter {
    pub common: Common,
    pub user_id: Option<UserId>,
    pub group_id: Option<GroupId>,
    pub role: Option<Role>,
    /// Only memberships of the groups this user belongs to.
    pub visible_to: Option<UserId>,
}

/// One multi-row INSERT ... RETURNING; fails whole on a unique or foreign-key violation.
pub fn insert_many(
    conn: &mut AnyConnection,
    rows: &[NewMembership],
) -> QueryResult<Vec<Membership>> {
    match conn {
        AnyConnection::Postgresql(c) => pg_insert_unnest(c, rows, false),
        AnyConnection::Sqlite(c) => sqlite_insert(c, rows, false),
    }
}

/// Like `insert_many`, but rows whose (user, group) already exists are skipped.
pub fn insert_many_skipping_existing(
    conn: &mut AnyConnection,
    rows: &[NewMembership],
) -> QueryResult<Vec<Membership>> {
    match conn {
        AnyConnection::Postgresql(c) => pg_insert_unnest(c, rows, true),
        AnyConnection::Sqlite(c) => sqlite_insert(c, rows, true),
    }
}

/// On SQLite a bulk goes in as one `VALUES` insert of 100 rows, or pieces of fixed sizes
/// (`bulk_insert::sqlite_chunks`), each statement prepared once on the writer.
fn sqlite_insert(
    c: &mut diesel::SqliteConnection,
    rows: &[NewMembership],
    skip_existing: bool,
) -> QueryResult<Vec<Membership>> {
    let mut out = Vec::with_capacity(rows.len());
    for chunk in sqlite_chunks(rows) {
        out.extend(SqliteBulkInsert::new(chunk, skip_existing).load::<Membership>(c)?);
    }
    Ok(out)
}

/// On PostgreSQL a bulk goes in as one INSERT ... SELECT FROM UNNEST of seven arrays
/// (`bulk_insert`): the same statement text whatever the number of rows, prepared once
/// per connection, where a multi-row VALUES list with 700 parameters was parsed and
/// planned on every request.
fn pg_insert_unnest(
    c: &mut diesel::PgConnection,
    rows: &[NewMembership],
    skip_existing: bool,
) -> QueryResult<Vec<Membership>> {
    let guard = if skip_existing {
        Guard::SkipExisting
    } else {
        Guard::None
    };
    BulkInsert::new(rows, guard).load(c)
}

/// The rows of a clean bulk in one statement, the first of its transaction (the events
/// follow): the rows go in unless a barrier touches one of `group_ids`, in which case
/// nothing is written and `None` says to take the path with its locked barrier check. On SQLite, where writes are serial
/// and statements cost no round trip, it is always `None`.
///
/// Why skipping the barrier check is safe when no barrier is seen: the INSERT takes
/// ROW EXCLUSIVE on memberships before its snapshot is taken (PostgreSQL takes a READ
/// COMMITTED statement's snapshot after the locks of parse, bind and plan). A barrier
/// being created holds SHARE on memberships from before its violation check to its
/// commit, so it has either committed before this statement's snapshot (and is seen
/// here) or waits for this transaction to commit (ROW EXCLUSIVE is held until then) and
/// then finds these rows, if they break it.
pub fn insert_alone_unless_barred(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    rows: &[NewMembership],
    group_ids: &[GroupId],
) -> QueryResult<Option<Vec<Membership>>> {
    let AnyConnection::Postgresql(c) = conn else {
        return Ok(None);
    };
    if rows.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let guard = Guard::UnlessBarred {
        instance_id,
        group_ids,
    };
    let inserted: Vec<Membership> = BulkInsert::new(rows, guard).load(c)?;
    Ok((!inserted.is_empty()).then_some(inserted))
}

/// Memberships whose user is in `user_ids` and group in `group_ids` (a superset of the
/// pairs asked for; the caller picks the pairs).
pub fn among(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    user_ids: &[UserId],
    group_ids: &[GroupId],
) -> QueryResult<Vec<Membership>> {
    if user_ids.is_empty() || group_ids.is_empty() {
        return Ok(Vec::new());
    }
    memberships::table
        .filter(memberships::instance_id.eq(instance_id))
        .filter(memberships::user_id.eq_any(user_ids))
        .filter(memberships::group_id.eq_any(group_ids))
        .select(Membership::as_select())
        .load(conn)
}

pub fn find(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    id: MembershipId,
    visible_to: Option<UserId>,
) -> QueryResult<Option<Membership>> {
    let filter = MembershipFilter {
        common: Common {
            ids: Some(vec![id.get()]),
            ..Default::default()
        },
        visible_to,
        ..Default::default()
    };
    filtered(instance_id, &filter)
        .select(Membership::as_select())
        .first(conn)
        .optional()
}

pub fn find_pair(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    user_id: UserId,
    group_id: GroupId,
    visible_to: Option<UserId>,
) -> QueryResult<Option<Membership>> {
    let filter = MembershipFilter {
        user_id: Some(user_id),
        group_id: Some(group_id),
        visible_to,
        ..Default::default()
    };
    filtered(instance_id, &filter)
        .select(Membership::as_select())
        .first(conn)
        .optional()
}

/// Every membership of these users (for includes).
pub fn of_users(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    user_ids: &[UserId],
    visible_to: Option<UserId>,
) -> QueryResult<Vec<Membership>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = filtered(
        instance_id,
        &MembershipFilter {
            visible_to,
            ..Default::default()
        },
    );
    q = q.filter(memberships::user_id.eq_any(user_ids.to_vec()));
    q.order(memberships::id.asc())
        .select(Membership::as_select())
        .load(conn)
}

/// Every membership of these groups (for includes).
pub fn of_groups(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    group_ids: &[GroupId],
    visible_to: Option<UserId>,
) -> QueryResult<Vec<Membership>> {
    if group_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = filtered(
        instance_id,
        &MembershipFilter {
            visible_to,
            ..Default::default()
        },
    );
    q = q.filter(memberships::group_id.eq_any(group_ids.to_vec()));
    q.order(memberships::id.asc())
        .select(Membership::as_select())
        .load(conn)
}

fn filtered(instance_id: InstanceId, f: &MembershipFilter) -> memberships::BoxedQuery<'static, Db> {
    let mut q = memberships::table
        .filter(memberships::instance_id.eq(instance_id))
        .into_boxed::<Db>();
    apply_common!(q, memberships, f.common);
    if let Some(u) = f.user_id {
        q = q.filter(memberships::user_id.eq(u));
    }
    if let Some(g) = f.group_id {
        q = q.filter(memberships::group_id.eq(g));
    }
    if let Some(r) = &f.role {
        q = q.filter(memberships::role.eq(*r));
    }
    if let Some(viewer) = f.visible_to {
        let mine = diesel::alias!(memberships as mine);
        let my_groups = mine
            .filter(mine.field(memberships::instance_id).eq(instance_id))
            .filter(mine.field(memberships::user_id).eq(viewer))
            .select(mine.field(memberships::group_id));
        q = q.filter(memberships::group_id.eq_any(my_groups));
    }
    q
}

/// Whether a filter lets every membership of the instance through (then the kept
/// count is the number of matches). Destructured, so a new filter field must be
/// considered here.
fn unfiltered(f: &MembershipFilter) -> bool {
    let MembershipFilter {
        common:
            Common {
                ids,
                created_after,
                updated_after,
            },
        user_id,
        group_id,
        role,
        visible_to,
    } = f;
    ids.is_none()
        && created_after.is_none()
        && updated_after.is_none()
        && user_id.is_none()
        && group_id.is_none()
        && role.is_none()
        && visible_to.is_none()
}

/// The number of memberships of an instance, as the triggers keep it: at most 16 rows,
/// where `COUNT(*)` walks every membership (117 ms at a million on PostgreSQL).
pub fn counted(conn: &mut AnyConnection, instance_id: InstanceId) -> QueryResult<i64> {
    use super::schema::membership_counts;
    let slots: Vec<i64> = membership_counts::table
        .filter(membership_counts::instance_id.eq(instance_id))
        .select(membership_counts::n)
        .load(conn)?;
    Ok(slots.iter().sum())
}

pub fn list(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    f: &MembershipFilter,
    w: &Window,
) -> QueryResult<Page<Membership>> {
    let total: i64 = if unfiltered(f) {
        counted(conn, instance_id)?
    } else {
        filtered(instance_id, f).count().get_result(conn)?
    };
    let mut q = filtered(instance_id, f).select(Membership::as_select());
    apply_window!(
        q,
        w,
        memberships::id,
        memberships::created_at,
        memberships::updated_at,
        memberships::created_at,
        super::listing::sort_time
    );
    Ok(Page::from_rows(q.load(conn)?, total, w.limit))
}

pub fn update(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    id: MembershipId,
    changes: &MembershipChanges,
) -> QueryResult<Membership> {
    per_backend!(conn, |c| diesel::update(
        memberships::table
            .filter(memberships::instance_id.eq(instance_id))
            .filter(memberships::id.eq(id))
    )
    .set(changes)
    .returning(Membership::as_returning())
    .get_result(c))
}

pub fn delete(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    id: MembershipId,
) -> QueryResult<usize> {
    diesel::delete(
        memberships::table
            .filter(memberships::instance_id.eq(instance_id))
            .filter(memberships::id.eq(id)),
    )
    .execute(conn)
}
