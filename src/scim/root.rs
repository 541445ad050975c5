//! Queries of every resource type at once (RFC 7644 §3.4.2, §3.4.3): `GET` of the base
//! and `POST /.search`. Users come first, then groups, each in id order; a filter
//! attribute one type lacks matches none of that type (unknown to both: `invalidFilter`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::auth::ScimCaller;
use super::error::ScimError;
use super::query::{group_condition, user_condition, ListQuery};
use super::resource::{group_json, user_json};
use super::{body_of, list_response, params, respond, search_query, Body};
use crate::db::conditions::Cond;
use crate::service::provisioning;
use crate::state::AppState;

pub async fn list(
    state: web::Data<AppState>,
    who: ScimCaller,
    req: HttpRequest,
) -> Result<HttpResponse, ScimError> {
    let q = ListQuery::from_params(&params(&req)?)?;
    run(state, who, q).await
}

pub async fn search(
    state: web::Data<AppState>,
    who: ScimCaller,
    body: Body,
) -> Result<HttpResponse, ScimError> {
    let q = search_query(body_of(body)?)?;
    run(state, who, q).await
}

async fn run(
    state: web::Data<AppState>,
    who: ScimCaller,
    q: ListQuery,
) -> Result<HttpResponse, ScimError> {
    let (users, groups) = match (
        user_condition(q.filter.as_ref()),
        group_condition(q.filter.as_ref()),
    ) {
        (Err(e), Err(_)) => return Err(e),
        (u, g) => (u.unwrap_or(Cond::False), g.unwrap_or(Cond::False)),
    };
    let pool = &state.pool;
    let (caller, instance_id) = (who.caller(), who.instance.id);
    let found_users =
        provisioning::find_users(pool, caller, instance_id, users, q.offset(), q.count).await?;
    // The groups' page starts where the users' ended.
    let group_offset = (q.offset() - found_users.total).max(0);
    let room = q.count - found_users.rows.len() as i64;
    let with_members = q.projection.shows("members");
    let found_groups = provisioning::find_groups(
        pool,
        caller,
        instance_id,
        groups,
        group_offset,
        room,
        with_members,
    )
    .await?;
    let members = with_members.then_some(found_groups.members.as_slice());
    let display = q.projection.requests("members.display");
    let resources = found_users
        .rows
        .iter()
        .map(|u| q.projection.apply(user_json(&who.base, u)))
        .chain(found_groups.rows.iter().map(|g| {
            q.projection
                .apply(group_json(&who.base, g, members, display))
        }))
        .collect();
    Ok(respond(
        StatusCode::OK,
        list_response(
            found_users.total + found_groups.total,
            q.start_index,
            resources,
        ),
        None,
    ))
}
