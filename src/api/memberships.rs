//! Memberships: the heart of Roster. Creates are validated object by object and
//! written in one transaction, all or nothing (API.md §4).

use std::collections::{HashMap, HashSet};

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Map, Value};

use super::body::{
    parse_json, repeats, take_objects, take_patch, FieldReader, JsonBody, JsonBytes,
};
use super::common::{
    created, json_response, page_envelope, params, path_id, rows_envelope, unprocessable,
};
use super::envelope::Envelope;
use super::idempotency;
use super::include::{self, distinct, MembershipSideloads};
use super::plain_memberships;
use super::query::{ListParams, ListSpec, Params};
use crate::auth::{Caller, InstanceCaller};
use crate::db::memberships::{
    self, Membership, MembershipChanges, MembershipFilter, NewMembership,
};
use crate::db::{self, barriers, groups, now, users, AnyConnection};
use crate::domain::{parse_id, Permissions, Role, CAN_MANAGE_MEMBERS};
use crate::error::{ApiError, ErrorItem};
use crate::state::AppState;

pub const SPEC: ListSpec = ListSpec {
    filters: &["user_id", "group_id", "role"],
    name_field: None,
    has_updated: true,
    includes: &["user", "group"],
    fields: &[
        "user_id",
        "group_id",
        "role",
        "configurable_permissions",
        "created_at",
        "updated_at",
    ],
};
const ONE: &[&str] = &["include", "fields"];
const CREATE: &[&str] = &["include", "fields", "on_conflict"];
/// How often a create whose fast path failed for no reason the diagnosis can find (a
/// racing writer that has since gone away) is tried again.
const ATTEMPTS: usize = 3;

/// One membership to create, parsed and valid in itself.
#[derive(Debug, Clone)]
pub struct Input {
    pub user_id: i64,
    pub group_id: i64,
    pub role: Role,
    pub permissions: Permissions,
}

/// The objects of a create request, in order; `None` where an object failed to parse.
pub struct Batch {
    pub inputs: Vec<Option<Input>>,
    /// The user and group IDs each object names, even when another of its fields is
    /// invalid, so that missing references are reported for every object.
    pub refs: Vec<(Option<i64>, Option<i64>)>,
    pub bulk: bool,
    pub errors: Vec<ErrorItem>,
    /// The body field that names the user (`user_id`, or Syncano's `user` / `users`).
    pub user_field: &'static str,
}

impl Batch {
    fn index(&self, i: usize) -> Option<usize> {
        self.bulk.then_some(i)
    }

    fn valid(&self) -> impl Iterator<Item = (usize, &Input)> {
        self.inputs
            .iter()
            .enumerate()
            .filter_map(|(i, x)| x.as_ref().map(|x| (i, x)))
    }
}

/// Parses `role` and `configurable_permissions` (omitted: every permission enabled).
pub fn read_role_and_permissions(r: &mut FieldReader) -> (Option<Role>, Option<Permissions>) {
    let role = r.optional("role", Role::parse).or(Some(Role::Member));
    let permissions = r
        .optional("configurable_permissions", Permissions::parse)
        .or(Some(Permissions::default()));
    (role, permissions)
}

fn parse_input(
    value: Value,
    index: Option<usize>,
    errors: &mut Vec<ErrorItem>,
    refs: &mut Vec<(Option<i64>, Option<i64>)>,
) -> Option<Input> {
    let Some(mut r) = FieldReader::new(value, index, "membership", errors) else {
        refs.push((None, None));
        return None;
    };
    let user_id = r.required("user_id", parse_id);
    let group_id = r.required("group_id", parse_id);
    refs.push((user_id, group_id));
    let (role, permissions) = read_role_and_permissions(&mut r);
    if !r.finish() {
        return None;
    }
    Some(Input {
        user_id: user_id?,
        group_id: group_id?,
        role: role?,
        permissions: permissions?,
    })
}

/// What a create request asks for besides the objects.
pub struct CreateOptions {
    pub ignore_existing: bool,
    pub includes: Vec<&'static str>,
    pub fields: Option<Vec<String>>,
}

pub fn create_options(p: &Params) -> Result<CreateOptions, ApiError> {
    p.only(&[CREATE])?;
    let ignore_existing = match p.get("on_conflict") {
        None | Some("error") => false,
        Some("ignore") => true,
        Some(_) => {
            return Err(ApiError::bad_param(
                "on_conflict",
                "on_conflict must be ignore or error",
            ))
        }
    };
    Ok(CreateOptions {
        ignore_existing,
        includes: p.includes(SPEC.includes)?,
        fields: p.fields(SPEC.fields)?,
    })
}

pub async fn create(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    body: JsonBytes,
) -> Result<HttpResponse, ApiError> {
    // The common shape read straight into types, or the body as a JSON tree (400
    // unless it parses, before the query is looked at, as for every other body).
    let plain = match plain_memberships::read(&body.0) {
        Some(batch) => Ok(batch),
        None => Err(parse_json(&body.0)?),
    };
    let options = create_options(&params(&req)?)?;
    let batch = match plain {
        Ok(batch) => batch,
        Err(value) => read_batch(value)?,
    };
    respond_created(&state, &req, &body.0, &who, batch, options).await
}

/// The general path: any body, every problem of every object reported with its index.
pub(crate) fn read_batch(body: Value) -> Result<Batch, ApiError> {
    let objects = take_objects(body, "membership", "memberships")?;
    let (mut errors, mut refs) = (Vec::new(), Vec::new());
    let inputs = objects
        .items
        .into_iter()
        .enumerate()
        .map(|(i, v)| parse_input(v, objects.bulk.then_some(i), &mut errors, &mut refs))
        .collect();
    Ok(Batch {
        inputs,
        refs,
        bulk: objects.bulk,
        errors,
        user_field: "user_id",
    })
}

/// Runs a create and answers 201 with the envelope (shared with the Syncano route).
pub async fn respond_created(
    state: &AppState,
    req: &HttpRequest,
    raw_body: &[u8],
    who: &InstanceCaller,
    batch: Batch,
    options: CreateOptions,
) -> Result<HttpResponse, ApiError> {
    let (instance_id, caller) = (who.instance.id, who.caller);
    let CreateOptions {
        ignore_existing,
        includes,
        fields,
    } = options;
    let pool = state.pool.clone();
    idempotency::guard(state, req, instance_id, raw_body, |pending| async move {
        let value = db::run(&pool, move |conn| {
            authorize_managers(conn, instance_id, caller, &batch)?;
            let user_ids = distinct(batch.valid().map(|(_, x)| x.user_id));
            let group_ids = distinct(batch.valid().map(|(_, x)| x.group_id));
            let sideloads =
                MembershipSideloads::load(conn, instance_id, &user_ids, &group_ids, &includes)?;
            let render = |rows: &[Membership], made: usize| {
                let mut env = rows_envelope(rows);
                env.meta("created", json!(made));
                sideloads.apply(&mut env);
                env
            };
            // With an Idempotency-Key the response is recorded in the transaction;
            // without one it is rendered after the commit, outside the write lock.
            // Without a response to record, a clean bulk may be written by one
            // statement on its own (see `create_all`).
            let alone = pending.is_none();
            let (rows, made, value) = create_all(
                conn,
                instance_id,
                batch,
                Mode {
                    ignore_existing,
                    alone,
                },
                |conn, rows, made| {
                    let value = match &pending {
                        Some(_) => Some(created(
                            conn,
                            pending.as_ref(),
                            render(&rows, made),
                            &fields,
                        )?),
                        None => None,
                    };
                    Ok((rows, made, value))
                },
            )?;
            match value {
                Some(v) => Ok(v),
                None => {
                    let mut env = render(&rows, made);
                    env.keep_fields(&fields);
                    Ok(env.into_body())
                }
            }
        })
        .await?;
        Ok(json_response(StatusCode::CREATED, value))
    })
    .await
}

/// A user key may write memberships only of groups it manages: it is `admin` there and
/// its membership does not set `can_manage_members` to false (API.md §6).
fn authorize_managers(
    conn: &mut AnyConnection,
    instance_id: i64,
    caller: Caller,
    batch: &Batch,
) -> Result<(), ApiError> {
    let Caller::User(me) = caller else {
        return Ok(());
    };
    let group_ids: Vec<i64> = batch.valid().map(|(_, x)| x.group_id).collect();
    let managed = managed_groups(conn, instance_id, me, &group_ids)?;
    match batch.valid().find(|(_, x)| !managed.contains(&x.group_id)) {
        Some((i, x)) => Err(ApiError::Forbidden {
            message: format!(
                "this key may not manage the members of group {}",
                x.group_id
            ),
            index: batch.index(i),
        }),
        None => Ok(()),
    }
}

/// Of `group_ids`, the groups whose members user `me` may manage.
pub fn managed_groups(
    conn: &mut AnyConnection,
    instance_id: i64,
    me: i64,
    group_ids: &[i64],
) -> Result<HashSet<i64>, ApiError> {
    Ok(memberships::among(conn, instance_id, &[me], group_ids)?
        .into_iter()
        .filter(|m| {
            m.role == Role::Admin.as_str()
                && Permissions::from_stored(m.configurable_permissions.as_deref())
                    .allows(CAN_MANAGE_MEMBERS)
        })
        .map(|m| m.group_id)
        .collect())
}

/// Creates every membership of the batch, or none. On PostgreSQL a clean bulk that
/// records nothing else (`mode.alone`) is one INSERT guarded against barriers
/// (`insert_alone`); otherwise, or when a barrier is involved, one transaction holds
/// the INSERT and a locked barrier check (`insert_checked`). The database checks
/// existence and uniqueness; only when it reports a problem is each object diagnosed.
/// `finish` runs after the insert (inside the transaction when there is one) to build
/// and record the response.
fn create_all<T>(
    conn: &mut AnyConnection,
    instance_id: i64,
    mut batch: Batch,
    mode: Mode,
    finish: impl Fn(&mut AnyConnection, Vec<Membership>, usize) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
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
    if batch.errors.is_empty() && mode.alone && !ignore_existing {
        match insert_alone(conn, instance_id, &batch) {
            Ok(Some(rows)) => {
                let made = rows.len();
                return finish(conn, rows, made);
            }
            Ok(None) | Err(ApiError::Unprocessable(_)) => {}
            Err(other) => return Err(other),
        }
    }
    for _ in 0..ATTEMPTS {
        if batch.errors.is_empty() {
            match db::write_transaction(conn, |conn| {
                let (rows, made) = insert_checked(conn, instance_id, &batch, ignore_existing)?;
                finish(conn, rows, made)
            }) {
                Err(ApiError::Unprocessable(_)) => {}
                other => return other,
            }
        }
        let mut errors = batch.errors.clone();
        db::read_transaction(conn, |conn| {
            diagnose(conn, instance_id, &batch, ignore_existing, &mut errors)
        })?;
        if !errors.is_empty() {
            return Err(unprocessable(errors));
        }
    }
    Err(ApiError::Conflict(
        "the memberships changed while this request ran; retry it".into(),
    ))
}

/// How a create treats existing pairs, and whether it may be written by one statement
/// outside a transaction (nothing else, such as an Idempotency-Key record, must be
/// written with it).
#[derive(Clone, Copy)]
struct Mode {
    ignore_existing: bool,
    alone: bool,
}

/// The objects of a batch as rows, in (user, group) order whatever the request's order:
/// two bulks that overlap then wait for each other's rows in one order and never
/// deadlock. Also the distinct groups.
fn new_rows(instance_id: i64, batch: &Batch) -> (Vec<NewMembership>, Vec<i64>) {
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
            role: x.role.as_str().to_string(),
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
    mut by_pair: HashMap<(i64, i64), Membership>,
) -> Option<Vec<Membership>> {
    batch
        .valid()
        .map(|(_, x)| by_pair.remove(&(x.user_id, x.group_id)))
        .collect()
}

fn pair_map(rows: Vec<Membership>) -> HashMap<(i64, i64), Membership> {
    rows.into_iter()
        .map(|m| ((m.user_id, m.group_id), m))
        .collect()
}

/// The fastest path, on PostgreSQL: the INSERT alone, written unless a barrier touches
/// the batch's groups (`memberships::insert_alone_unless_barred`). `None`: nothing was
/// written, take the transactional path. `Unprocessable`: nothing was written, diagnose.
fn insert_alone(
    conn: &mut AnyConnection,
    instance_id: i64,
    batch: &Batch,
) -> Result<Option<Vec<Membership>>, ApiError> {
    let (rows, group_ids) = new_rows(instance_id, batch);
    let Some(inserted) =
        memberships::insert_alone_unless_barred(conn, instance_id, &rows, &group_ids)?
    else {
        return Ok(None);
    };
    in_request_order(batch, pair_map(inserted))
        .map(Some)
        .ok_or_else(|| ApiError::Internal("an inserted membership was not returned".into()))
}

/// The transactional path. Any `Unprocessable` it returns means: roll back and
/// diagnose.
///
/// The INSERT comes first and the barrier check after it, in the same transaction. The
/// INSERT holds ROW EXCLUSIVE on memberships (PostgreSQL), so a barrier being created
/// (which takes SHARE) either committed before it and is seen by the check, or waits
/// for this commit and then sees these rows as violators. Two writers that could break
/// a barrier together take turns on the barrier's row (`FOR UPDATE`), and the second
/// sees the first's committed rows. SQLite's write transactions are serial anyway.
fn insert_checked(
    conn: &mut AnyConnection,
    instance_id: i64,
    batch: &Batch,
    ignore_existing: bool,
) -> Result<(Vec<Membership>, usize), ApiError> {
    let (rows, group_ids) = new_rows(instance_id, batch);
    let inserted = if ignore_existing {
        memberships::insert_many_skipping_existing(conn, &rows)?
    } else {
        memberships::insert_many(conn, &rows)?
    };
    let created = inserted.len();
    let fences = barriers::touching(conn, instance_id, &group_ids, true)?;
    if !fences.is_empty()
        && !barrier_violations(conn, instance_id, batch, &fences, &HashSet::new())?.is_empty()
    {
        return Err(ApiError::Unprocessable(Vec::new()));
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
        .ok_or_else(|| ApiError::Unprocessable(Vec::new()))
}

/// For each object that would put its user in both groups of a barrier (counting the
/// objects before it in the batch), its index and the other group.
fn barrier_violations(
    conn: &mut AnyConnection,
    instance_id: i64,
    batch: &Batch,
    fences: &[(i64, i64)],
    skip: &HashSet<usize>,
) -> Result<Vec<(usize, i64)>, ApiError> {
    let other_side = |g: i64| {
        fences.iter().filter_map(move |&(a, b)| {
            if a == g {
                Some(b)
            } else if b == g {
                Some(a)
            } else {
                None
            }
        })
    };
    let others = distinct(
        batch
            .valid()
            .flat_map(|(_, x)| other_side(x.group_id).collect::<Vec<_>>()),
    );
    let user_ids = distinct(batch.valid().map(|(_, x)| x.user_id));
    let mut held: HashSet<(i64, i64)> = memberships::among(conn, instance_id, &user_ids, &others)?
        .into_iter()
        .map(|m| (m.user_id, m.group_id))
        .collect();
    let mut out = Vec::new();
    for (i, x) in batch.valid() {
        if skip.contains(&i) {
            continue;
        }
        if let Some(other) = other_side(x.group_id).find(|o| held.contains(&(x.user_id, *o))) {
            out.push((i, other));
            continue;
        }
        held.insert((x.user_id, x.group_id));
    }
    Ok(out)
}

/// Finds every problem of every object: missing users and groups, existing pairs, barriers.
fn diagnose(
    conn: &mut AnyConnection,
    instance_id: i64,
    batch: &Batch,
    ignore_existing: bool,
    errors: &mut Vec<ErrorItem>,
) -> Result<(), ApiError> {
    let user_ids = distinct(batch.refs.iter().filter_map(|r| r.0));
    let group_ids = distinct(batch.refs.iter().filter_map(|r| r.1));
    let users: HashSet<i64> = users::existing_ids(conn, instance_id, &user_ids)?
        .into_iter()
        .collect();
    let groups: HashSet<i64> = groups::existing_ids(conn, instance_id, &group_ids)?
        .into_iter()
        .collect();
    // Objects that failed to parse: report their missing references too.
    for (i, (user, group)) in batch
        .refs
        .iter()
        .enumerate()
        .filter(|(i, _)| batch.inputs[*i].is_none())
    {
        let at = batch.index(i);
        if let Some(u) = user.filter(|u| !users.contains(u)) {
            errors.push(
                ErrorItem::new("missing_reference", format!("user {u} does not exist"))
                    .field(batch.user_field)
                    .at(at),
            );
        }
        if let Some(g) = group.filter(|g| !groups.contains(g)) {
            errors.push(
                ErrorItem::new("missing_reference", format!("group {g} does not exist"))
                    .field("group_id")
                    .at(at),
            );
        }
    }
    let existing: HashSet<(i64, i64)> =
        memberships::among(conn, instance_id, &user_ids, &group_ids)?
            .into_iter()
            .map(|m| (m.user_id, m.group_id))
            .collect();
    let already_failed: HashSet<usize> = errors.iter().filter_map(|e| e.index).collect();
    let mut skip = HashSet::new();
    for (i, x) in batch.valid() {
        let at = batch.index(i);
        let mut failed = already_failed.contains(&i) && batch.bulk;
        if !users.contains(&x.user_id) {
            errors.push(
                ErrorItem::new(
                    "missing_reference",
                    format!("user {} does not exist", x.user_id),
                )
                .field(batch.user_field)
                .at(at),
            );
            failed = true;
        }
        if !groups.contains(&x.group_id) {
            errors.push(
                ErrorItem::new(
                    "missing_reference",
                    format!("group {} does not exist", x.group_id),
                )
                .field("group_id")
                .at(at),
            );
            failed = true;
        }
        if existing.contains(&(x.user_id, x.group_id)) {
            if !ignore_existing {
                errors.push(
                    ErrorItem::new(
                        "duplicate",
                        format!(
                            "user {} is already a member of group {}",
                            x.user_id, x.group_id
                        ),
                    )
                    .field(batch.user_field)
                    .at(at),
                );
            }
            failed = true;
        }
        if failed {
            skip.insert(i);
        }
    }
    let fences = barriers::touching(conn, instance_id, &group_ids, false)?;
    for (i, other) in barrier_violations(conn, instance_id, batch, &fences, &skip)? {
        let x = batch.inputs[i]
            .as_ref()
            .map(|x| (x.user_id, x.group_id))
            .unwrap_or_default();
        errors.push(
            ErrorItem::new(
                "forbidden_by_policy",
                format!(
                    "an information barrier forbids user {} in group {} while in group {other}",
                    x.0, x.1
                ),
            )
            .field("group_id")
            .at(batch.index(i)),
        );
    }
    Ok(())
}

/// A page of memberships with its sideloads, in one read transaction.
pub fn list_envelope(
    conn: &mut AnyConnection,
    instance_id: i64,
    filter: &MembershipFilter,
    p: &ListParams,
) -> Result<Envelope, ApiError> {
    db::read_transaction(conn, |conn| {
        let page = memberships::list(conn, instance_id, filter, &p.window)?;
        let mut env = page_envelope(&page, p);
        include::for_memberships(conn, instance_id, &page.rows, &p.includes, &mut env)?;
        env.keep_fields(&p.fields);
        Ok(env)
    })
}

pub async fn list(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let raw = params(&req)?;
    let p = raw.list(&SPEC)?;
    let role = raw
        .get("role")
        .map(|r| {
            Role::parse_str(r)
                .map(|r| r.as_str().to_string())
                .ok_or_else(|| ApiError::bad_param("role", "role must be member or admin"))
        })
        .transpose()?;
    let filter = MembershipFilter {
        common: p.common.clone(),
        user_id: raw.id("user_id")?,
        group_id: raw.id("group_id")?,
        role,
        visible_to: who.caller.viewer(),
    };
    let instance_id = who.instance.id;
    let env = db::run(&state.pool, move |conn| {
        list_envelope(conn, instance_id, &filter, &p)
    })
    .await?;
    Ok(env.respond(StatusCode::OK))
}

/// One membership with its sideloads.
pub fn one_envelope(
    conn: &mut AnyConnection,
    instance_id: i64,
    m: Membership,
    includes: &[&str],
) -> Result<Envelope, ApiError> {
    let mut env = rows_envelope(std::slice::from_ref(&m));
    include::for_memberships(conn, instance_id, &[m], includes, &mut env)?;
    Ok(env)
}

pub async fn get(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = params(&req)?;
    p.only(&[ONE])?;
    let (includes, fields) = (p.includes(SPEC.includes)?, p.fields(SPEC.fields)?);
    let (instance_id, id, viewer) = (who.instance.id, path_id(&req, "id")?, who.caller.viewer());
    let mut env = db::run(&state.pool, move |conn| {
        let m = memberships::find(conn, instance_id, id, viewer)?.ok_or(ApiError::NotFound)?;
        one_envelope(conn, instance_id, m, &includes)
    })
    .await?;
    env.keep_fields(&fields);
    Ok(env.respond(StatusCode::OK))
}

fn parse_changes(map: Map<String, Value>) -> Result<MembershipChanges, ApiError> {
    let mut errors = Vec::new();
    let mut r = FieldReader::from_map(map, None, &mut errors);
    for fixed in ["user_id", "group_id"] {
        if r.optional(fixed, |_| Ok::<_, String>(())).is_some() {
            r.error(ErrorItem::invalid(
                fixed,
                format!("{fixed} cannot change after creation"),
            ));
        }
    }
    let role = r
        .optional("role", Role::parse)
        .map(|r| r.as_str().to_string());
    let permissions = r
        .optional("configurable_permissions", Permissions::parse)
        .map(|p| p.to_stored());
    if !r.finish() {
        return Err(unprocessable(errors));
    }
    Ok(MembershipChanges {
        role,
        configurable_permissions: permissions,
        updated_at: Some(now()),
    })
}

pub async fn update(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
    body: JsonBody,
) -> Result<HttpResponse, ApiError> {
    let p = params(&req)?;
    p.only(&[ONE])?;
    let (includes, fields) = (p.includes(SPEC.includes)?, p.fields(SPEC.fields)?);
    let (instance_id, id, caller) = (who.instance.id, path_id(&req, "id")?, who.caller);
    let changes = take_patch(body.0, "membership").and_then(parse_changes);
    let mut env = db::run(&state.pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let m = memberships::find(conn, instance_id, id, caller.viewer())?
                .ok_or(ApiError::NotFound)?;
            if let Caller::User(me) = caller {
                if !managed_groups(conn, instance_id, me, &[m.group_id])?.contains(&m.group_id) {
                    return Err(ApiError::forbidden(
                        "this key may not manage the members of this group",
                    ));
                }
            }
            let m = memberships::update(conn, instance_id, id, &changes?)?;
            one_envelope(conn, instance_id, m, &includes)
        })
    })
    .await?;
    env.keep_fields(&fields);
    Ok(env.respond(StatusCode::OK))
}

/// Deletes a membership: an admin key, a manager of the group, or the member itself.
pub fn delete_checked(
    conn: &mut AnyConnection,
    instance_id: i64,
    caller: Caller,
    m: &Membership,
) -> Result<(), ApiError> {
    if let Caller::User(me) = caller {
        if m.user_id != me
            && !managed_groups(conn, instance_id, me, &[m.group_id])?.contains(&m.group_id)
        {
            return Err(ApiError::forbidden(
                "this key may not remove other members of this group",
            ));
        }
    }
    memberships::delete(conn, instance_id, m.id)?;
    Ok(())
}

pub async fn delete(
    state: web::Data<AppState>,
    who: InstanceCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    params(&req)?.only(&[])?;
    let (instance_id, id, caller) = (who.instance.id, path_id(&req, "id")?, who.caller);
    db::run(&state.pool, move |conn| {
        db::write_transaction(conn, |conn| {
            let m = memberships::find(conn, instance_id, id, caller.viewer())?
                .ok_or(ApiError::NotFound)?;
            delete_checked(conn, instance_id, caller, &m)
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
