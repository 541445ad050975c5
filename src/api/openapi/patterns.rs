//! The schemas of the fields of request bodies, with the limits of `domain::limits` and
//! patterns that accept exactly what the parsers of `domain` accept.

use utoipa::openapi::schema::{ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat};
use utoipa::openapi::RefOr;
use utoipa::ToSchema;

use crate::api::views::{string, text};
use crate::domain::limits::{
    MAX_AVATAR_URL, MAX_BULK, MAX_INSTANCE_NAME, MAX_NAME, MAX_USERNAME, MIN_INSTANCE_NAME,
};

/// `domain::Email`'s limit, in bytes.
const MAX_EMAIL: usize = 254;

/// At least one character that is not White_Space (what `str::trim` removes), spelled
/// out: `\s` means other things in other regular expression engines.
const NOT_BLANK: &str = r"^[^\x00]*[^\x00\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\x00]*$";

/// `domain::Username`: 1 to 150 characters, each a letter or digit as Rust's
/// `char::is_alphanumeric` has it (Unicode Alphabetic or Numeric) or one of `. @ + - _`.
pub fn username() -> ObjectBuilder {
    string()
        .min_length(Some(1))
        .max_length(Some(MAX_USERNAME))
        .pattern(Some(format!("^[{}]+$", username_class())))
        .description(Some(
            "1-150 characters, each . @ + - _ or a letter or digit of any script (Unicode \
             Alphabetic or Numeric, as Rust's char::is_alphanumeric has them: the pattern \
             lists them all); unique in the instance",
        ))
        .examples(["geralt"])
}

/// The characters of a username as one character class, every range spelled out from
/// `char::is_alphanumeric` itself: regular expression engines disagree on `\p{...}`
/// (Python's `re` has none), but all read `\uXXXX` and literal characters alike. Beyond
/// the Basic Multilingual Plane the characters are literal, which engines read as code
/// points (JSON Schema asks for ECMA-262 with its `u` flag).
pub fn username_class() -> String {
    // `-` first, where every engine reads it as itself.
    let mut class = String::from("-.@+_0-9A-Za-z");
    let mut run: Option<(u32, u32)> = None;
    for code in 0x80..=0x10_ffffu32 {
        let alphanumeric = char::from_u32(code).is_some_and(char::is_alphanumeric);
        match run {
            // A run never crosses into the astral planes, which are written otherwise.
            Some((first, last)) if alphanumeric && last + 1 == code && code != 0x1_0000 => {
                run = Some((first, code));
            }
            _ => {
                if let Some((first, last)) = run.take() {
                    push_range(&mut class, first, last);
                }
                if alphanumeric {
                    run = Some((code, code));
                }
            }
        }
    }
    if let Some((first, last)) = run {
        push_range(&mut class, first, last);
    }
    class
}

fn push_range(class: &mut String, first: u32, last: u32) {
    let one = |code: u32| match char::from_u32(code) {
        Some(c) if code > 0xffff => c.to_string(),
        _ => format!("\\u{code:04x}"),
    };
    class.push_str(&one(first));
    if last > first {
        if last > first + 1 {
            class.push('-');
        }
        class.push_str(&one(last));
    }
}

/// `domain::GroupName`: 1 to 255 characters, not blank.
pub fn group_name() -> ObjectBuilder {
    string()
        .min_length(Some(1))
        .max_length(Some(MAX_NAME))
        .pattern(Some(NOT_BLANK))
        .description(Some("1-255 characters, not blank; unique in the instance"))
        .examples(["witchers"])
}

/// `domain::InstanceName`.
pub fn instance_name() -> ObjectBuilder {
    string()
        .min_length(Some(MIN_INSTANCE_NAME))
        .max_length(Some(MAX_INSTANCE_NAME))
        .pattern(Some(format!(
            "^[a-z0-9][a-z0-9-]{{{},{}}}$",
            MIN_INSTANCE_NAME - 1,
            MAX_INSTANCE_NAME - 1
        )))
        .description(Some(
            "2-63 of a-z, 0-9 and -, starting with a letter or digit",
        ))
        .examples(["acme"])
}

/// `domain::Email`.
pub fn email() -> ObjectBuilder {
    text::<MAX_EMAIL>()
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .description(Some("a valid e-mail address of at most 254 bytes, or null"))
}

/// `domain::AvatarUrl`.
pub fn avatar_url() -> ObjectBuilder {
    text::<MAX_AVATAR_URL>()
        .format(Some(SchemaFormat::Custom("uri".into())))
        .pattern(Some("^[hH][tT][tT][pP][sS]?://"))
        .description(Some(
            "an http(s) URL with a host, of at most 2048 bytes, or null",
        ))
}

/// A bulk: 1 to `MAX_BULK` of `T` (`api::body::one_or_many`).
pub fn bulk<T: ToSchema>() -> ArrayBuilder {
    ArrayBuilder::new()
        .items(RefOr::Ref(
            utoipa::openapi::Ref::from_schema_name(T::name()),
        ))
        .min_items(Some(1))
        .max_items(Some(MAX_BULK))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Username;

    /// Reads the class back: `\uXXXX`, literal characters and `a-b` ranges.
    fn ranges(class: &str) -> Vec<(u32, u32)> {
        let mut codes = Vec::new();
        let mut chars = class.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\\' {
                assert_eq!(chars.next(), Some('u'), "{class}");
                let hex: String = chars.by_ref().take(4).collect();
                codes.push(Some(u32::from_str_radix(&hex, 16).unwrap()));
            } else if c == '-' && !codes.is_empty() {
                codes.push(None);
            } else {
                codes.push(Some(c as u32));
            }
        }
        let mut out = Vec::new();
        let mut i = 0;
        while i < codes.len() {
            let first = codes[i].unwrap();
            if codes.get(i + 1) == Some(&None) {
                out.push((first, codes[i + 2].unwrap()));
                i += 3;
            } else {
                out.push((first, first));
                i += 1;
            }
        }
        out
    }

    #[test]
    fn the_username_class_is_exactly_what_the_parser_accepts() {
        let class = username_class();
        let ranges = ranges(&class);
        let mut sorted = ranges.clone();
        sorted.sort();
        let allowed = |c: char| {
            let at = sorted.partition_point(|(a, _)| *a <= c as u32);
            at > 0 && sorted[at - 1].1 >= c as u32
        };
        for c in (0..=0x10_ffffu32).filter_map(char::from_u32) {
            let accepted = Username::parse_str(&c.to_string()).is_ok();
            assert_eq!(allowed(c), accepted, "U+{:04X}", c as u32);
        }
        // Astral characters are literal, everything else beyond ASCII escaped.
        assert!(class.chars().all(|c| c.is_ascii() || c as u32 > 0xffff));
        assert!(class.starts_with('-'));
    }
}
