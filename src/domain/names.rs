//! Names and addresses with the rules of API.md §2.

use serde_json::Value;
use validator::{ValidateEmail, ValidateUrl};

use super::limits::{
    MAX_AVATAR_URL, MAX_EXTERNAL_ID, MAX_INSTANCE_NAME, MAX_NAME, MAX_USERNAME, MIN_INSTANCE_NAME,
};

fn as_str<'a>(value: &'a Value, what: &str) -> Result<&'a str, String> {
    value
        .as_str()
        .ok_or_else(|| format!("{what} must be a string"))
}

/// An instance name: 2–63 of `a-z 0-9 -`, starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceName(String);

impl InstanceName {
    pub fn parse_str(s: &str) -> Result<Self, String> {
        let ok_len = (MIN_INSTANCE_NAME..=MAX_INSTANCE_NAME).contains(&s.len());
        let ok_chars = s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let ok_start = s.bytes().next().is_some_and(|b| b != b'-');
        if ok_len && ok_chars && ok_start {
            Ok(Self(s.to_string()))
        } else {
            Err(
                "name must be 2-63 characters of a-z, 0-9 and -, starting with a letter or digit"
                    .into(),
            )
        }
    }

    pub fn parse(value: &Value) -> Result<Self, String> {
        Self::parse_str(as_str(value, "name")?)
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A username: 1–150 of letters, digits and `. @ + - _`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse_str(s: &str) -> Result<Self, String> {
        let len = s.chars().count();
        let ok_chars = s
            .chars()
            .all(|c| c.is_alphanumeric() || ".@+-_".contains(c));
        if (1..=MAX_USERNAME).contains(&len) && ok_chars {
            Ok(Self(s.to_string()))
        } else {
            Err("username must be 1-150 characters of letters, digits and . @ + - _".into())
        }
    }

    pub fn parse(value: &Value) -> Result<Self, String> {
        Self::parse_str(as_str(value, "username")?)
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A group name: 1–255 characters, not only white space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupName(String);

impl GroupName {
    pub fn parse(value: &Value) -> Result<Self, String> {
        let s = as_str(value, "name")?;
        let len = s.chars().count();
        if (1..=MAX_NAME).contains(&len) && !s.trim().is_empty() {
            Ok(Self(s.to_string()))
        } else {
            Err("name must be 1-255 characters and not blank".into())
        }
    }

    pub fn into_inner(self) -> String {
        self.0
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address; null clears it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(value: &Value) -> Result<Option<Self>, String> {
        match value {
            Value::Null => Ok(None),
            Value::String(s) if s.len() <= 254 && s.validate_email() => Ok(Some(Self(s.clone()))),
            Value::String(_) => Err("email must be a valid e-mail address".into()),
            _ => Err("email must be a string or null".into()),
        }
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An avatar URL: http or https, at most 2048 characters; null clears it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvatarUrl(String);

impl AvatarUrl {
    pub fn parse(value: &Value) -> Result<Option<Self>, String> {
        let message = "avatar_url must be an http(s) URL of at most 2048 characters";
        match value {
            Value::Null => Ok(None),
            Value::String(s) => {
                let scheme_ok = url::Url::parse(s)
                    .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                    .unwrap_or(false);
                if s.len() <= MAX_AVATAR_URL && s.validate_url() && scheme_ok {
                    Ok(Some(Self(s.clone())))
                } else {
                    Err(message.into())
                }
            }
            _ => Err(message.into()),
        }
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An identity provider's own ID of a user or group (§2, §12): 1–255 characters, kept
/// exactly as given; null clears it. Empty is refused: it would be a value that names
/// nothing, unique like any other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalId(String);

impl ExternalId {
    pub fn parse_str(s: &str) -> Result<Self, String> {
        if (1..=MAX_EXTERNAL_ID).contains(&s.chars().count()) {
            Ok(Self(s.to_string()))
        } else {
            Err("external_id must be 1-255 characters or null".into())
        }
    }

    pub fn parse(value: &Value) -> Result<Option<Self>, String> {
        match value {
            Value::Null => Ok(None),
            Value::String(s) => Self::parse_str(s).map(Some),
            _ => Err("external_id must be a string or null".into()),
        }
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A user's `active`: true or false.
pub fn parse_active(value: &Value) -> Result<bool, String> {
    value
        .as_bool()
        .ok_or_else(|| "active must be true or false".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn instance_names() {
        assert!(InstanceName::parse(&json!("acme-1")).is_ok());
        assert!(InstanceName::parse(&json!("9lives")).is_ok());
        assert!(InstanceName::parse(&json!("a")).is_err());
        assert!(InstanceName::parse(&json!("-acme")).is_err());
        assert!(InstanceName::parse(&json!("Acme")).is_err());
        assert!(InstanceName::parse(&json!("a_b")).is_err());
        assert!(InstanceName::parse(&json!("a".repeat(64))).is_err());
        assert!(InstanceName::parse(&json!("a".repeat(63))).is_ok());
    }

    #[test]
    fn usernames() {
        assert!(Username::parse(&json!("geralt.of+rivia@kaer-morhen_1")).is_ok());
        assert!(Username::parse(&json!("")).is_err());
        assert!(Username::parse(&json!("a b")).is_err());
        assert!(Username::parse(&json!("a/b")).is_err());
        assert!(Username::parse(&json!("x".repeat(150))).is_ok());
        assert!(Username::parse(&json!("x".repeat(151))).is_err());
        assert!(Username::parse(&json!(5)).is_err());
    }

    #[test]
    fn emails_and_urls() {
        assert!(Email::parse(&json!("g@kaer.morhen")).unwrap().is_some());
        assert!(Email::parse(&json!(null)).unwrap().is_none());
        assert!(Email::parse(&json!("nope")).is_err());
        assert!(AvatarUrl::parse(&json!("https://x.io/a.png"))
            .unwrap()
            .is_some());
        assert!(AvatarUrl::parse(&json!("ftp://x.io/a.png")).is_err());
        assert!(AvatarUrl::parse(&json!("javascript:alert(1)")).is_err());
        let long = format!("https://x.io/{}", "a".repeat(2040));
        assert!(AvatarUrl::parse(&json!(long)).is_err());
    }

    #[test]
    fn external_ids() {
        assert_eq!(
            ExternalId::parse(&json!("00u1abc")).unwrap(),
            Some(ExternalId("00u1abc".into()))
        );
        assert_eq!(ExternalId::parse(&json!(null)).unwrap(), None);
        assert!(ExternalId::parse(&json!("")).is_err());
        assert!(ExternalId::parse(&json!("é".repeat(255)))
            .unwrap()
            .is_some());
        assert!(ExternalId::parse(&json!("x".repeat(256))).is_err());
        assert!(ExternalId::parse(&json!(5)).is_err());
        assert!(ExternalId::parse(&json!(["a"])).is_err());
        assert_eq!(parse_active(&json!(false)), Ok(false));
        assert!(parse_active(&json!("true")).is_err());
        assert!(parse_active(&json!(null)).is_err());
    }

    #[test]
    fn group_names() {
        assert!(GroupName::parse(&json!("witchers")).is_ok());
        assert!(GroupName::parse(&json!("")).is_err());
        assert!(GroupName::parse(&json!("   ")).is_err());
        assert!(GroupName::parse(&json!("x".repeat(256))).is_err());
    }
}
