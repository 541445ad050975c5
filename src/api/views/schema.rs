//! The building blocks of the schemas: strings, integers, bounded text, pairs, and the
//! exact pattern of a range of decimal numbers.

use utoipa::openapi::schema::{
    ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type,
};
use utoipa::PartialSchema;

use crate::domain::limits::MAX_EXTERNAL_ID;

/// No text takes U+0000 (PostgreSQL cannot store it; `api::body` refuses it).
pub const NO_NUL: &str = r"^[^\x00]*$";

pub fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn nullable_string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::String, Type::Null]))
}

pub fn integer(min: i64, max: i64) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(min))
        .maximum(Some(max))
}

/// Free text of at most `MAX` characters, or null (`domain::parse_text`).
pub fn text<const MAX: usize>() -> ObjectBuilder {
    nullable_string()
        .max_length(Some(MAX))
        .pattern(Some(NO_NUL))
}

/// `domain::ExternalId`: 1 to 255 characters, or null.
pub fn external_id() -> ObjectBuilder {
    text::<MAX_EXTERNAL_ID>()
        .min_length(Some(1))
        .description(Some(
            "an identity provider's own ID: 1-255 characters, unique in the instance when \
         set, or null",
        ))
}

/// Exactly two distinct `T`.
pub fn pair<T: PartialSchema>() -> ArrayBuilder {
    ArrayBuilder::new()
        .items(T::schema())
        .min_items(Some(2))
        .max_items(Some(2))
        .unique_items(true)
}

/// The decimal numbers from 1 to `max`, without leading zeros, as one regular expression
/// (so that a client, or a test generator, knows exactly which IDs can exist).
pub fn decimal_range_pattern(max: u64) -> String {
    let digits: Vec<u32> = max
        .to_string()
        .chars()
        .filter_map(|c| c.to_digit(10))
        .collect();
    let n = digits.len();
    let mut alternatives = Vec::new();
    if n > 1 {
        alternatives.push(format!("[1-9][0-9]{{0,{}}}", n - 2));
    }
    for i in 0..n {
        let low = if i == 0 { 1 } else { 0 };
        if digits[i] > low {
            let prefix: String = digits[..i].iter().map(|d| d.to_string()).collect();
            let rest = n - i - 1;
            let class = if digits[i] - 1 == low {
                low.to_string()
            } else {
                format!("[{low}-{}]", digits[i] - 1)
            };
            alternatives.push(match rest {
                0 => format!("{prefix}{class}"),
                _ => format!("{prefix}{class}[0-9]{{{rest}}}"),
            });
        }
    }
    alternatives.push(max.to_string());
    format!("^(?:{})$", alternatives.join("|"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_ranges() {
        assert_eq!(decimal_range_pattern(9), "^(?:[1-8]|9)$");
        assert_eq!(
            decimal_range_pattern(305),
            "^(?:[1-9][0-9]{0,1}|[1-2][0-9]{2}|30[0-4]|305)$"
        );
        assert_eq!(decimal_range_pattern(100), "^(?:[1-9][0-9]{0,1}|100)$");
    }
}
