//! Names each parameter that is the same wherever it appears once, under
//! `components/parameters` as `<in>.<name>` (`path.instance`, `query.cursor`,
//! `header.Idempotency-Key`), and refers to it from every operation. A parameter that
//! differs between operations (`include`, `fields` and `order` name each resource's
//! values) stays written out where it is used.

use std::collections::BTreeMap;

use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::openapi::{OpenApi, Ref, RefOr};

fn key(p: &Parameter) -> String {
    let place = match p.parameter_in {
        ParameterIn::Path => "path",
        ParameterIn::Query => "query",
        ParameterIn::Header => "header",
        ParameterIn::Cookie => "cookie",
        _ => "other",
    };
    format!("{place}.{}", p.name)
}

pub fn parameters(doc: &mut OpenApi) {
    // Each key with its one parameter, or None once two operations disagree.
    let mut seen: BTreeMap<String, Option<Parameter>> = BTreeMap::new();
    let all = doc
        .paths
        .paths
        .values()
        .flat_map(super::rules::operations_of)
        .flat_map(|op| op.parameters.iter().flatten());
    for p in all {
        let RefOr::T(p) = p else { continue };
        seen.entry(key(p))
            .and_modify(|known| {
                if known.as_ref() != Some(p) {
                    *known = None;
                }
            })
            .or_insert_with(|| Some(p.clone()));
    }
    let shared: BTreeMap<String, Parameter> = seen
        .into_iter()
        .filter_map(|(k, p)| Some((k, p?)))
        .collect();
    for item in doc.paths.paths.values_mut() {
        for (_, op) in super::rules::operations(item) {
            for p in op.parameters.iter_mut().flatten() {
                let RefOr::T(param) = p else { continue };
                let k = key(param);
                if shared.contains_key(&k) {
                    *p = RefOr::Ref(Ref::new(format!("#/components/parameters/{k}")));
                }
            }
        }
    }
    let components = doc.components.get_or_insert_with(Default::default);
    components
        .parameters
        .extend(shared.into_iter().map(|(k, p)| (k, p.into())));
}
