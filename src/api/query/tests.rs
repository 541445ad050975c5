use super::*;
use crate::db::listing::{After, SortValue};

const SPEC: ListSpec = ListSpec {
    filters: &["username"],
    name_field: Some("username"),
    has_updated: true,
    includes: &["memberships"],
    fields: &["username", "name"],
};

#[test]
fn defaults_and_limits() {
    let p = Params::parse("").unwrap().list(&SPEC).unwrap();
    assert_eq!(
        (p.per_page, p.window.offset, p.page_number),
        (20, 0, Some(1))
    );
    assert!(Params::parse("per_page=201").unwrap().list(&SPEC).is_err());
    assert!(Params::parse("per_page=0").unwrap().list(&SPEC).is_err());
    assert!(Params::parse("page=501&per_page=20")
        .unwrap()
        .list(&SPEC)
        .is_ok());
    assert!(Params::parse("page=502&per_page=20")
        .unwrap()
        .list(&SPEC)
        .is_err());
    assert!(Params::parse("bogus=1").unwrap().list(&SPEC).is_err());
    assert!(Params::parse("include=nope").unwrap().list(&SPEC).is_err());
    assert!(Params::parse("order=email:asc")
        .unwrap()
        .list(&SPEC)
        .is_err());
    assert!(Params::parse("ids=1,x").unwrap().list(&SPEC).is_err());
    // Lists name every item exactly: no empty or padded items (Schemathesis).
    for bad in [
        "ids=",
        "ids=1,,2",
        "ids=1,%202",
        "include=",
        "include=memberships,",
        "include=%20memberships",
        "fields=",
        "fields=username,,name",
    ] {
        assert!(Params::parse(bad).unwrap().list(&SPEC).is_err(), "{bad}");
    }
    assert!(
        Params::parse("ids=1,2&include=memberships&fields=username,name")
            .unwrap()
            .list(&SPEC)
            .is_ok()
    );
    assert!(Params::parse("a=1&a=2").is_err());
    assert!(Params::parse("page=1&page=2").is_err());
    assert!(Params::parse("cursor=a&cursor=a").is_err());
    assert!(Params::parse("username=a%00b").is_err());
    assert!(Params::parse("a%00=1").is_err());
}

#[test]
fn cursor_round_trip() {
    let c = Cursor {
        field: SortField::Name,
        desc: true,
        after: After {
            value: SortValue::Text("geralt".into()),
            id: 7,
        },
    };
    let back = Cursor::decode(&c.encode(), &SPEC).unwrap();
    assert_eq!(
        (back.field, back.desc, back.after),
        (c.field, c.desc, c.after)
    );
    assert!(Cursor::decode("garbage", &SPEC).is_err());
}

#[test]
fn repeated_array_parameters_are_merged() {
    let p = Params::parse("ids=3&ids=1,2&fields=name&fields=username&include=memberships")
        .unwrap()
        .list(&SPEC)
        .unwrap();
    assert_eq!(p.common.ids.as_ref().map(Vec::len), Some(3));
    assert_eq!(
        p.fields,
        Some(vec!["id".into(), "name".into(), "username".into()])
    );
    assert_eq!(p.includes, ["memberships"]);
    let p = Params::parse("include=memberships&include=memberships")
        .unwrap()
        .list(&SPEC)
        .unwrap();
    assert_eq!(p.includes, ["memberships"]);
    // Each repetition is a list of its own: an empty one is an empty item.
    for bad in [
        "ids=1&ids=",
        "ids=&ids=1",
        "include=memberships&include=nope",
    ] {
        assert!(Params::parse(bad).unwrap().list(&SPEC).is_err(), "{bad}");
    }
    // The count of IDs is over all repetitions.
    let many = (1..=MAX_IDS + 1)
        .map(|i| format!("ids={i}"))
        .collect::<Vec<_>>();
    assert!(Params::parse(&many.join("&")).unwrap().list(&SPEC).is_err());
    assert!(Params::parse(&many[1..].join("&"))
        .unwrap()
        .list(&SPEC)
        .is_ok());
}
