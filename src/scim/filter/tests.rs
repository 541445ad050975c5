use proptest::prelude::*;

use super::*;

fn attr(name: &str) -> AttrPath {
    AttrPath {
        uri: None,
        name: name.into(),
        sub: None,
    }
}

fn eq(name: &str, v: &str) -> Filter {
    Filter::Compare {
        path: attr(name),
        op: CompareOp::Eq,
        value: Literal::Str(v.into()),
    }
}

fn and(a: Filter, b: Filter) -> Filter {
    Filter::And(Box::new(a), Box::new(b))
}

fn or(a: Filter, b: Filter) -> Filter {
    Filter::Or(Box::new(a), Box::new(b))
}

#[test]
fn and_binds_tighter_than_or() {
    assert_eq!(
        parse(r#"a eq "1" or b eq "2" and c eq "3""#).unwrap(),
        or(eq("a", "1"), and(eq("b", "2"), eq("c", "3")))
    );
    assert_eq!(
        parse(r#"a eq "1" and b eq "2" or c eq "3""#).unwrap(),
        or(and(eq("a", "1"), eq("b", "2")), eq("c", "3"))
    );
}

#[test]
fn parentheses_group() {
    assert_eq!(
        parse(r#"(a eq "1" or b eq "2") and c eq "3""#).unwrap(),
        and(or(eq("a", "1"), eq("b", "2")), eq("c", "3"))
    );
    assert_eq!(
        parse(r#"not (a eq "1" or b eq "2")"#).unwrap(),
        Filter::Not(Box::new(or(eq("a", "1"), eq("b", "2"))))
    );
    assert_eq!(
        parse(r#"NOT(a eq "1")"#).unwrap(),
        Filter::Not(Box::new(eq("a", "1")))
    );
}

#[test]
fn operators_names_and_keywords_ignore_case() {
    assert_eq!(
        parse(r#"UserName EQ "Bjensen" AND active Eq TRUE"#).unwrap(),
        and(
            eq("username", "Bjensen"),
            Filter::Compare {
                path: attr("active"),
                op: CompareOp::Eq,
                value: Literal::Bool(true)
            }
        )
    );
    for op in ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"] {
        let f = parse(&format!("x {} \"v\"", op.to_uppercase())).unwrap();
        let Filter::Compare { op: got, .. } = f else {
            panic!("not a comparison")
        };
        assert_eq!(got.as_str(), op);
    }
}

#[test]
fn literal_values() {
    let value = |s: &str| match parse(&format!("x eq {s}")).unwrap() {
        Filter::Compare { value, .. } => value,
        _ => panic!("not a comparison"),
    };
    assert_eq!(value("null"), Literal::Null);
    assert_eq!(value("false"), Literal::Bool(false));
    assert_eq!(value("42"), Literal::Num(42.0));
    assert_eq!(value("-1.5e2"), Literal::Num(-150.0));
    assert_eq!(
        value(r#""a \"quoted\" \u00e9 \\ b""#),
        Literal::Str("a \"quoted\" é \\ b".into())
    );
}

#[test]
fn sub_attributes_uris_and_value_paths() {
    let f = parse(r#"urn:ietf:params:scim:schemas:core:2.0:User:name.formatted sw "J""#).unwrap();
    assert_eq!(
        f,
        Filter::Compare {
            path: AttrPath {
                uri: Some("urn:ietf:params:scim:schemas:core:2.0:User".into()),
                name: "name".into(),
                sub: Some("formatted".into())
            },
            op: CompareOp::Sw,
            value: Literal::Str("J".into())
        }
    );
    assert_eq!(
        parse(r#"emails[type eq "work" and value co "@example.com"] or userName pr"#).unwrap(),
        or(
            Filter::ValuePath {
                attr: attr("emails"),
                filter: Box::new(and(
                    eq("type", "work"),
                    Filter::Compare {
                        path: attr("value"),
                        op: CompareOp::Co,
                        value: Literal::Str("@example.com".into())
                    }
                ))
            },
            Filter::Present(attr("username"))
        )
    );
    assert_eq!(
        parse("meta.lastModified gt \"2011-05-13T04:42:34Z\"").unwrap(),
        Filter::Compare {
            path: AttrPath {
                uri: None,
                name: "meta".into(),
                sub: Some("lastmodified".into())
            },
            op: CompareOp::Gt,
            value: Literal::Str("2011-05-13T04:42:34Z".into())
        }
    );
}

#[test]
fn bad_filters_are_refused() {
    for bad in [
        "",
        "userName",
        "userName eq",
        "userName xx \"a\"",
        "userName eq \"a",
        "(userName eq \"a\"",
        "userName eq \"a\")",
        "not userName eq \"a\"",
        "userName eq \"a\" and",
        "userName eq \"a\" userName eq \"b\"",
        "emails[type eq \"work\"",
        "1abc eq \"a\"",
        "a.b.c eq \"x\"",
        "userName eq bare",
        "userName eq \"a\" # comment",
    ] {
        assert!(parse(bad).is_err(), "{bad:?} parsed");
    }
}

#[test]
fn patch_paths() {
    assert_eq!(
        parse_path("members[value eq \"42\"]").unwrap(),
        PatchPath {
            attr: attr("members"),
            filter: Some(eq("value", "42")),
            sub: None
        }
    );
    assert_eq!(
        parse_path("emails[type eq \"work\"].value").unwrap(),
        PatchPath {
            attr: attr("emails"),
            filter: Some(eq("type", "work")),
            sub: Some("value".into())
        }
    );
    let p = parse_path("urn:ietf:params:scim:schemas:core:2.0:User:name.formatted").unwrap();
    assert_eq!(p.attr.dotted(), "name.formatted");
    assert!(p.filter.is_none());
    assert!(parse_path("members[value eq \"42\"").is_err());
    assert!(parse_path("members[value eq \"42\"]x").is_err());
    assert!(parse_path("").is_err());
}

fn names() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("username".to_string()),
        Just("displayname".to_string()),
        Just("active".to_string()),
        "[a-z][a-z0-9_]{0,8}",
    ]
    .prop_filter("not a keyword", |n| {
        !["and", "or", "not", "pr", "true", "false", "null"].contains(&n.as_str())
    })
}

fn paths() -> impl Strategy<Value = AttrPath> {
    (names(), proptest::option::of(names())).prop_map(|(name, sub)| AttrPath {
        uri: None,
        name,
        sub,
    })
}

fn literals() -> impl Strategy<Value = Literal> {
    prop_oneof![
        any::<String>().prop_map(Literal::Str),
        (-1_000_000i64..1_000_000).prop_map(|n| Literal::Num(n as f64)),
        any::<bool>().prop_map(Literal::Bool),
        Just(Literal::Null),
    ]
}

fn ops() -> impl Strategy<Value = CompareOp> {
    use CompareOp::*;
    prop::sample::select(vec![Eq, Ne, Co, Sw, Ew, Gt, Ge, Lt, Le])
}

fn filters() -> impl Strategy<Value = Filter> {
    let leaf = prop_oneof![
        (paths(), ops(), literals()).prop_map(|(path, op, value)| Filter::Compare {
            path,
            op,
            value
        }),
        paths().prop_map(Filter::Present),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| and(a, b)),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| or(a, b)),
            inner.clone().prop_map(|a| Filter::Not(Box::new(a))),
            (names(), inner).prop_map(|(n, f)| Filter::ValuePath {
                attr: attr(&n),
                filter: Box::new(f)
            }),
        ]
    })
}

proptest! {
    #[test]
    fn every_filter_reads_back_from_its_text(f in filters()) {
        let text = f.to_string();
        prop_assert_eq!(parse(&text).unwrap(), f);
    }

    #[test]
    fn any_text_parses_or_errs_without_panicking(s in ".{0,60}") {
        let _ = parse(&s);
        let _ = parse_path(&s);
    }
}
