//! Creating memberships, all or nothing (API.md §4), under the barrier rule (§2).

use std::collections::{HashMap, HashSet};

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::diagnose::{barrier_violations, diagnose};
use super::{authorize_managers, Batch, Input};
use crate::db::memberships::{self, Membership, NewMembership};
use crate::db::{self, barriers, now, AnyConnection, DbPool};
use crate::domain::{GroupId, InstanceId, UserId};
use crate::service::bulk::{distinct, repeats};
use crate::service::error::{ErrorItem, Result, ServiceError};
use crate::service::events::{Actor, Log};
use crate::service::idempotency::{self, Pending};
use crate::service::sideloads::MembershipSideloads;

/// How often a create whose fast path failed for no reason the diagnosis can find (a
/// racing writer that has since gone away) is tried again.
const ATTEMPTS: usize = 3;

/// What a create request asks for besides the objects.
pub struct CreateOptions {
    /// `?on_conflict=ignore`: an existing pair is returned in place of a new one.
    pub ignore_existing: bool,
    pub includes: Vec<&'static str>,
}

/// The memberships a create returns, in request order, how many it made, and their
/// sideloads.
pub struct Created<'a> {
    pub rows: &'a [Membership],
    pub made: usize,
    pub sideloads: &'a MembershipSideloads,
}

/// Creates every membership of the batch, or none, and answers with `render`'s body.
/// With an Idempotency-Key (`pending`) the body is rendered and recorded inside the
/// transaction; without one it is rendered after the commit, outside the write lock.
pub async fn create(
    pool: &DbPool,
    actor: Actor,
    instance_id: InstanceId,
    batch: Batch,
    options: CreateOptions,
    pending: Option<Pending>,
    render: impl Fn(Created<'_>) -> Result<String> + Send + 'static,
) -> Result<String> {
    let CreateOptions {
        ignore_existing,
        includes,
    } = options;
    let caller = actor.caller;
    // Reads first (authorization, the sideloads): on SQLite outside the write lock.
    let read = move |conn: &mut AnyConnection| {
        authorize_managers(conn, instance_id, caller, &batch)?;
        let user_ids = distinct(batch.valid().map(|(_, x)| x.user_id));
        let group_ids = distinct(batch.valid().map(|(_, x)| x.group_id));
        let sideloads =
            MembershipSideloads::load(conn, instance_id, &user_ids, &group_ids, &includes)?;
        Ok::<_, ServiceError>((batch, sideloads))
    };
    let write = move |conn: &mut AnyConnection,
                      (batch, sideloads): (Batch, MembershipSideloads)| {
        // With an Idempotency-Key the answer is rendered and recorded in the
        // transaction; without one, after it (outside the write lock).
        let mode = Mode {
            ignore_existing,
            actor: &actor,
        };
        let (rows, made, body) = create_all(conn, instance_id, batch, mode, |conn, rows, made| {
            let body = match &pending {
                Some(_) => {
                    let body = render(Created {
                        rows: &rows,
                        made,
                        sideloads: &sideloads,
                    })?;
                    idempotency::record(conn, pending.as_ref(), 201, &body)?;
                    Some(body)
                }
                None => None,
            };
            Ok((rows, made, body))
        })?;
        Ok::<_, ServiceError>((rows, made, body, sideloads, render))
    };
    let (rows, made, body, sideloads, render) = db::read_then_write(pool, read, write).await?;
    pool.wakes().wake(instance_id);
    match body {
        Some(body) => Ok(body),
        None => render(Created {
            rows: &rows,
            made,
            sideloads: &sideloads,
        }),
    }
}

/// Why a write attempt ended without its rows.
pub(super) enum Refusal {
    /// The database refused the rows (a missing reference, an existing pair, a
    /// barrier): nothing was written; diagnose every object.
    Diagnose,
    Failed(ServiceError),
}

impl From<DieselError> for Refusal {
    fn from(err: DieselError) -> Self {
        match err {
            DieselError::DatabaseError(
                DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::ForeignKeyViolation,
                _,
            ) => Self::Diagnose,
            other => Self::Failed(other.into()),
        }
    }
}

impl From<ServiceError> for Refusal {
    fn from(err: ServiceError) -> Self {
        Self::Failed(err)
    }
}

/// How a create treats existing pairs, and who writes (for the events).
#[derive(Clone, Copy)]
struct Mode<'a> {
    ignore_existing: bool,
    actor: &'a Actor,
}

/// Each attempt is one transaction: the INSERT, `finish` (which builds and may record
/// the response), and the events of the rows it made, last (`Log::save`). On
/// PostgreSQL a clean bulk is first tried with an INSERT guarded against barriers
/// (`insert_alone`), which saves the barrier query; when a barrier is involved, or on
/// SQLite, the INSERT is followed by a locked barrier check (`insert_checked`). The
/// database checks existence and uniqueness; only when it reports a problem is each
/// object diagnosed.
fn create_all<T>(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    mut batch: Batch,
    mode: Mode,
    finish: impl Fn(&mut AnyConnection, Vec<Membership>, usize) -> Result<T>,
) -> Result<T> {
    let ignore_existing = mode.ignore_existing;
    let pairs = batch.valid().map(|(i, x)| (i, (x.user_id, x.group_id)));
    for (later, first) in repeats(pairs) {
        let item = ErrorItem::new(
            "duplicate",
            format!("the same user and group are given at index {first}"),
        );
        batch
            .errors
            .push(item.field(batch.user_field).at(batch.index(later)));
    }
    let postgres = matches!(conn, AnyConnection::Postgresql(_));
    if batch.errors.is_empty() && !ignore_existing && postgres {
        let attempt = db::write_transaction(conn, |conn| {
            let Some(rows) = insert_alone(conn, instance_id, &batch)? else {
                return Ok(None);
            };
            let mut log = Log::new(mode.actor, instance_id);
            log.created_all(&rows);
            let made = rows.len();
            let done = finish(conn, rows, made)?;
            log.save(conn)?;
            Ok::<_, Refusal>(Some(done))
        });
        match attempt {
            Ok(Some(done)) => return Ok(done),
            Ok(None) | Err(Refusal::Diagnose) => {}
            Err(Refusal::Failed(other)) => return Err(other),
        }
    }
    for _ in 0..ATTEMPTS {
        if batch.errors.is_empty() {
            let attempt = db::write_transaction(conn, |conn| {
                let mut log = Log::new(mode.actor, instance_id);
                let (rows, made) =
                    insert_checked(conn, instance_id, &batch, ignore_existing, &mut log)?;
                let done = finish(conn, rows, made)?;
                log.save(conn)?;
                Ok::<_, Refusal>(done)
            });
            match attempt {
                Err(Refusal::Diagnose) => {}
                Err(Refusal::Failed(other)) => return Err(other),
                Ok(done) => return Ok(done),
            }
        }
        let mut errors = batch.errors.clone();
        db::read_transaction(conn, |conn| {
            diagnose(conn, instance_id, &batch, ignore_existing, &mut errors)
        })?;
        if !errors.is_empty() {
            return Err(ServiceError::problems(errors));
        }
    }
    Err(ServiceError::Conflict(
        "the memberships changed while this request ran; retry it".into(),
    ))
}

/// The objects of a batch as rows, in (user, group) order whatever the request's order:
/// two bulks that overlap then wait for each other's rows in one order and never
/// deadlock. Also the distinct groups.
fn new_rows(instance_id: InstanceId, batch: &Batch) -> (Vec<NewMembership>, Vec<GroupId>) {
    let t = now();
    let mut sorted: Vec<&Input> = batch.valid().map(|(_, x)| x).collect();
    sorted.sort_by_key(|x| (x.user_id, x.group_id));
    let group_ids = distinct(sorted.iter().map(|x| x.group_id));
    let rows = sorted
        .iter()
        .map(|x| NewMembership {
            instance_id,
            user_id: x.user_id,
            group_id: x.group_id,
            role: x.role,
            configurable_permissions: x.permissions.to_stored(),
            created_at: t.into(),
            updated_at: t.into(),
        })
        .collect();
    (rows, group_ids)
}

/// The rows of `by_pair` in the batch's order, if every object has one (the batch's
/// pairs are distinct: a repeated pair is an error before anything is written).
fn in_request_order(
    batch: &Batch,
    mut by_pair: HashMap<(UserId, GroupId), Membership>,
) -> Option<Vec<Membership>> {
    batch
        .valid()
        .map(|(_, x)| by_pair.remove(&(x.user_id, x.group_id)))
        .collect()
}

fn pair_map(rows: Vec<Membership>) -> HashMap<(UserId, GroupId), Membership> {
    rows.into_iter()
        .map(|m| ((m.user_id, m.group_id), m))
        .collect()
}

/// The fastest path, on PostgreSQL: an INSERT that writes unless a barrier touches the
/// batch's groups (`memberships::insert_alone_unless_barred`). `None`: nothing was
/// written, take the checked path. `Diagnose`: nothing was written, diagnose.
fn insert_alone(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    batch: &Batch,
) -> std::result::Result<Option<Vec<Membership>>, Refusal> {
    let (rows, group_ids) = new_rows(instance_id, batch);
    let Some(inserted) =
        memberships::insert_alone_unless_barred(conn, instance_id, &rows, &group_ids)?
    else {
        return Ok(None);
    };
    in_request_order(batch, pair_map(inserted))
        .map(Some)
        .ok_or_else(|| {
            Refusal::Failed(ServiceError::Internal(
                "an inserted membership was not returned".into(),
            ))
        })
}

/// The transactional path.
///
/// The INSERT comes first and the barrier check after it, in the same transaction. The
/// INSERT holds ROW EXCLUSIVE on memberships (PostgreSQL), so a barrier being created
/// (which takes SHARE) either committed before it and is seen by the check, or waits
/// for this commit and then sees these rows as violators. Two writers that could break
/// a barrier together take turns on the barrier's row (`FOR UPDATE`), and the second
/// sees the first's committed rows. SQLite's write transactions are serial anyway.
fn insert_checked(
    conn: &mut AnyConnection,
    instance_id: InstanceId,
    batch: &Batch,
    ignore_existing: bool,
    log: &mut Log,
) -> std::result::Result<(Vec<Membership>, usize), Refusal> {
    let (rows, group_ids) = new_rows(instance_id, batch);
    let inserted = if ignore_existing {
        memberships::insert_many_skipping_existing(conn, &rows)?
    } else {
        memberships::insert_many(conn, &rows)?
    };
    let created = inserted.len();
    log.created_all(&inserted);
    let fences = barriers::touching(conn, instance_id, &group_ids, true)?;
    if !fences.is_empty()
        && !barrier_violations(conn, instance_id, batch, &fences, &HashSet::new())?.is_empty()
    {
        return Err(Refusal::Diagnose);
    }
    let mut by_pair = pair_map(inserted);
    if by_pair.len() < rows.len() {
        let user_ids = distinct(rows.iter().map(|x| x.user_id));
        for m in memberships::among(conn, instance_id, &user_ids, &group_ids)? {
            by_pair.entry((m.user_id, m.group_id)).or_insert(m);
        }
    }
    in_request_order(batch, by_pair)
        .map(|rows| (rows, created))
        .ok_or(Refusal::Diagnose)
}
