//! A filter written back in the grammar.

use std::fmt;

use super::{AttrPath, Filter, Literal};

/// The filter written back in the grammar, fully parenthesised (for tests and logs).
impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = |p: &AttrPath| match &p.uri {
            Some(u) => format!("{u}:{}", p.dotted()),
            None => p.dotted(),
        };
        match self {
            Self::Compare { path: p, op, value } => {
                let v = match value {
                    Literal::Str(s) => serde_json::to_string(s).map_err(|_| fmt::Error)?,
                    Literal::Num(n) => n.to_string(),
                    Literal::Bool(b) => b.to_string(),
                    Literal::Null => "null".into(),
                };
                write!(f, "{} {} {v}", path(p), op.as_str())
            }
            Self::Present(p) => write!(f, "{} pr", path(p)),
            Self::And(a, b) => write!(f, "({a} and {b})"),
            Self::Or(a, b) => write!(f, "({a} or {b})"),
            Self::Not(a) => write!(f, "not ({a})"),
            Self::ValuePath { attr, filter } => write!(f, "{}[{filter}]", path(attr)),
        }
    }
}
