//! The hand-written JSON of every row against its derived view (`api::views`): for
//! arbitrary rows, what the writer sends parses to the very JSON the view
//! serializes to, with the same fields in the same order.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use serde::Serialize;
use serde_json::Value;

use super::*;
use crate::api::views;
use crate::db::time::Ts;
use crate::domain::{
    write_time_json, BarrierId, GroupId, InstanceId, KeyId, KeyRole, MembershipId, Permissions,
    Principal, Role, UserId,
};

/// Writes the rows one after another (as an envelope does, which also exercises the
/// last-time cache of `write_time_json`) and compares each with its view: the same
/// JSON value, with the keys in the same order.
fn check<R: Row, V: Serialize>(rows: &[R], view: impl Fn(&R) -> V) -> Result<(), TestCaseError> {
    for row in rows {
        let mut out = Vec::new();
        row.write_json(&mut out);
        let text = String::from_utf8(out).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let written: Value =
            serde_json::from_str(&text).map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        // Through the view's text, so that both sides take the same float parse.
        let derived: Value = serde_json::to_string(&view(row))
            .and_then(|t| serde_json::from_str(&t))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&written, &derived, "written: {}", text);
        // Value equality ignores the order of keys; their text does not.
        prop_assert_eq!(written.to_string(), derived.to_string());
    }
    Ok(())
}

/// Text a client may send: anything, and often what JSON must escape.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        r#"["\\\x00-\x1f\x7f\x{80}-\x{9f}\x{2028}\x{2029}</>&'a-zA-Z0-9 ü€💡]{0,24}"#,
        Just("quote \" back \\ slash".to_string()),
        Just("tab\tnl\n\u{1}".to_string()),
        Just("ünï 💡 </script>".to_string()),
    ]
}

fn some_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(text())
}

/// Times at every precision, in and beyond the years 0000-9999, and leap seconds.
fn time() -> impl Strategy<Value = NaiveDateTime> {
    let nanos = prop_oneof![
        Just(0u32),
        (0..1_000u32).prop_map(|ms| ms * 1_000_000),
        (0..1_000_000u32).prop_map(|us| us * 1_000),
        0..1_000_000_000u32,
    ];
    let usual = (-62_167_219_200i64..253_402_300_800, nanos.clone());
    let any_year = (-8_000_000_000_000i64..8_000_000_000_000, nanos);
    let leap = (-100_000i32..3_000_000, 1_000_000_000..2_000_000_000u32).prop_filter_map(
        "a day chrono has",
        |(day, nanos)| {
            NaiveDate::from_num_days_from_ce_opt(day)?.and_hms_nano_opt(23, 59, 59, nanos)
        },
    );
    let from_secs = |(s, n): (i64, u32)| DateTime::from_timestamp(s, n).map(|t| t.naive_utc());
    prop_oneof![
        4 => usual.prop_filter_map("in range", from_secs),
        1 => any_year.prop_filter_map("in range", from_secs),
        1 => leap,
    ]
}

fn ts() -> impl Strategy<Value = Ts> {
    time().prop_map(Ts::from)
}

/// JSON text of any value, with numbers past f64 and every string escape.
fn json() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
        "-?(0|[1-9][0-9]{0,20})(\\.[0-9]{1,5})?([eE][+-]?[0-9]{1,4})?",
        json_string(),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec((json_string(), inner), 0..4).prop_map(|kv| object(&kv)),
        ]
    })
}

fn json_string() -> impl Strategy<Value = String> {
    r#""([a-z_ ]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4}|\\u[dD][89abAB][0-9a-fA-F]{2}){0,6}""#
}

fn object(entries: &[(String, String)]) -> String {
    let inner: Vec<String> = entries.iter().map(|(k, v)| format!("{k}:{v}")).collect();
    format!("{{{}}}", inner.join(","))
}

/// A stored `configurable_permissions`: null, what `Permissions::to_stored` writes,
/// and text it never writes (any text, any JSON, objects of anything, white space).
fn stored_permissions() -> impl Strategy<Value = Option<String>> {
    let flags = prop::collection::btree_map("[a-z][a-z0-9_]{0,8}", any::<bool>(), 0..6);
    let stored = flags.prop_map(|m| {
        Permissions::Given(m.into_iter().map(|(k, v)| (k, Value::Bool(v))).collect()).to_stored()
    });
    let any_object = prop::collection::vec((json_string(), json()), 0..5)
        .prop_map(|kv| object(&kv))
        .boxed();
    let padded = ("[ \t\r\n]{0,3}", any_object.clone(), "[ \t\r\n]{0,3}")
        .prop_map(|(a, o, b)| format!("{a}{o}{b}"));
    prop_oneof![
        Just(None),
        Just(Some("{}".to_string())),
        stored,
        any::<String>().prop_map(Some),
        json().prop_map(Some),
        any_object.prop_map(Some),
        padded.prop_map(Some),
        "\\{[ -~]{0,12}".prop_map(Some),
    ]
}

prop_compose! {
    fn user()(id in any::<i64>(), username in text(), name in some_text(),
               email in some_text(), avatar_url in some_text(),
               principal in prop_oneof![Just(Principal::User), Just(Principal::ServiceAccount)],
               active in any::<bool>(), external_id in some_text(),
               created_at in ts(), updated_at in ts()) -> User {
        User { instance_id: InstanceId(1), id: UserId(id), username, name, email, avatar_url, principal, active, external_id, created_at, updated_at }
    }
}

prop_compose! {
    fn group()(id in any::<i64>(), name in text(), description in some_text(),
               external_id in some_text(), created_at in ts(), updated_at in ts()) -> Group {
        Group { instance_id: InstanceId(1), id: GroupId(id), name, description, external_id, created_at, updated_at }
    }
}

prop_compose! {
    fn membership()(id in any::<i64>(), user_id in any::<i64>(), group_id in any::<i64>(),
                    role in prop_oneof![Just(Role::Member), Just(Role::Admin)],
                    configurable_permissions in stored_permissions(),
                    created_at in ts(), updated_at in ts()) -> Membership {
        Membership { instance_id: InstanceId(1), id: MembershipId(id), user_id: UserId(user_id),
                     group_id: GroupId(group_id), role, configurable_permissions, created_at, updated_at }
    }
}

prop_compose! {
    fn barrier()(id in any::<i64>(), group_a_id in any::<i64>(), group_b_id in any::<i64>(),
                 description in some_text(), created_at in time()) -> Barrier {
        Barrier { instance_id: InstanceId(1), id: BarrierId(id), group_a_id: GroupId(group_a_id),
                  group_b_id: GroupId(group_b_id), description, created_at }
    }
}

prop_compose! {
    fn api_key()(id in any::<i64>(),
                 role in prop_oneof![Just(KeyRole::Admin), Just(KeyRole::User)], user_id in any::<Option<i64>>(),
                 description in some_text(), prefix in text(), created_at in time(),
                 revoked_at in prop::option::of(time())) -> ApiKey {
        ApiKey { instance_id: InstanceId(1), id: KeyId(id), role, user_id: user_id.map(UserId), description, prefix, created_at, revoked_at }
    }
}

prop_compose! {
    fn instance()(id in any::<i64>(), name in text(), description in text(),
                  created_at in time(), updated_at in time()) -> Instance {
        Instance { id: InstanceId(id), name, description, created_at, updated_at }
    }
}

fn rows<T: std::fmt::Debug>(row: impl Strategy<Value = T>) -> impl Strategy<Value = Vec<T>> {
    prop::collection::vec(row, 1..5)
}

proptest! {
    #[test]
    fn users_are_written_as_their_view(rows in rows(user())) {
        check(&rows, |r| views::User::from(r))?;
    }

    #[test]
    fn groups_are_written_as_their_view(rows in rows(group())) {
        check(&rows, |r| views::Group::from(r))?;
    }

    #[test]
    fn memberships_are_written_as_their_view(rows in rows(membership())) {
        check(&rows, |r| views::Membership::from(r))?;
    }

    #[test]
    fn barriers_are_written_as_their_view(rows in rows(barrier())) {
        check(&rows, |r| views::Barrier::from(r))?;
    }

    #[test]
    fn api_keys_are_written_as_their_view(rows in rows(api_key())) {
        check(&rows, |r| views::ApiKey::from(r))?;
    }

    #[test]
    fn instances_are_written_as_their_view(rows in rows(instance())) {
        check(&rows, |r| views::Instance::from(r))?;
    }

    /// The views write times as the writers do (`Rfc3339`); that text is chrono's
    /// RFC 3339 (`SecondsFormat::AutoSi`), but for leap seconds, which chrono writes
    /// as second 60 and `Rfc3339` as 59 with the fraction past the second.
    #[test]
    fn times_are_written_as_chrono_writes_them(t in time()) {
        prop_assume!(t.and_utc().timestamp_subsec_nanos() < 1_000_000_000);
        let chrono = t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
        let mut out = Vec::new();
        write_time_json(&mut out, t);
        prop_assert_eq!(String::from_utf8(out), Ok(format!("\"{chrono}\"")));
    }
}
