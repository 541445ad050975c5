//! The SCIM filter grammar (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2): a small
//! recursive-descent parser. `and` binds tighter than `or`; `not (…)`, parentheses and
//! value paths (`emails[type eq "work"]`) group. Operators, keywords and attribute
//! names are case-insensitive: names come out lower-cased.

use std::fmt;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    fn parse(word: &str) -> Option<Self> {
        Some(match word.to_ascii_lowercase().as_str() {
            "eq" => Self::Eq,
            "ne" => Self::Ne,
            "co" => Self::Co,
            "sw" => Self::Sw,
            "ew" => Self::Ew,
            "gt" => Self::Gt,
            "ge" => Self::Ge,
            "lt" => Self::Lt,
            "le" => Self::Le,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eq => "eq",
            Self::Ne => "ne",
            Self::Co => "co",
            Self::Sw => "sw",
            Self::Ew => "ew",
            Self::Gt => "gt",
            Self::Ge => "ge",
            Self::Lt => "lt",
            Self::Le => "le",
        }
    }
}

/// A comparison's value: a JSON string, number, boolean or null.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

/// `[urn:…:]name[.sub]`, the URN as written, `name` and `sub` lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    pub uri: Option<String>,
    pub name: String,
    pub sub: Option<String>,
}

impl AttrPath {
    /// `name` or `name.sub`, lower-cased, without the URN.
    pub fn dotted(&self) -> String {
        match &self.sub {
            Some(s) => format!("{}.{s}", self.name),
            None => self.name.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare {
        path: AttrPath,
        op: CompareOp,
        value: Literal,
    },
    Present(AttrPath),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `attr[filter]`: the filter applies to the values of a multi-valued attribute.
    ValuePath {
        attr: AttrPath,
        filter: Box<Filter>,
    },
}

/// Why a filter or path did not parse (SCIM `invalidFilter` / `invalidPath`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    OpenBracket,
    CloseBracket,
    Word(String),
    Str(String),
    Num(f64),
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '$')
}

fn tokenize(input: &str) -> Result<Vec<Token>, ParseError> {
    let mut out = Vec::new();
    let bytes = input.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            '[' => {
                out.push(Token::OpenBracket);
                i += 1;
            }
            ']' => {
                out.push(Token::CloseBracket);
                i += 1;
            }
            '"' => {
                let start = i;
                i += 1;
                loop {
                    match bytes.get(i) {
                        None => return Err(ParseError("unterminated string".into())),
                        Some(b'\\') => i += 2,
                        Some(b'"') => break,
                        Some(_) => i += 1,
                    }
                }
                i += 1;
                let text: String = serde_json::from_str(&input[start..i])
                    .map_err(|e| ParseError(format!("bad string literal: {e}")))?;
                out.push(Token::Str(text));
            }
            c if c.is_ascii_digit() || c == '-' => {
                let start = i;
                while i < bytes.len()
                    && matches!(bytes[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
                {
                    i += 1;
                }
                let text = &input[start..i];
                let n: f64 = text
                    .parse()
                    .map_err(|_| ParseError(format!("bad number {text:?}")))?;
                out.push(Token::Num(n));
            }
            c if is_word_char(c) => {
                let start = i;
                while i < bytes.len() && is_word_char(bytes[i] as char) {
                    i += 1;
                }
                out.push(Token::Word(input[start..i].to_string()));
            }
            other => return Err(ParseError(format!("unexpected character {other:?}"))),
        }
    }
    Ok(out)
}

/// Parses `[urn:…:]name[.sub]`.
pub fn parse_attr_path(word: &str) -> Result<AttrPath, ParseError> {
    let bad = || ParseError(format!("bad attribute path {word:?}"));
    let urn = word
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("urn:"));
    let (uri, rest) = if urn {
        let cut = word.rfind(':').ok_or_else(bad)?;
        (Some(word[..cut].to_string()), &word[cut + 1..])
    } else {
        (None, word)
    };
    let mut parts = rest.split('.');
    let name = parts.next().filter(|n| valid_name(n)).ok_or_else(bad)?;
    let sub = parts.next();
    if parts.next().is_some() || sub.is_some_and(|s| !valid_name(s)) {
        return Err(bad());
    }
    Ok(AttrPath {
        uri,
        name: name.to_ascii_lowercase(),
        sub: sub.map(str::to_ascii_lowercase),
    })
}

fn valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn keyword(&self, kw: &str) -> bool {
        matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(kw))
    }

    fn expect(&mut self, want: Token, what: &str) -> Result<(), ParseError> {
        match self.next() {
            Some(t) if t == want => Ok(()),
            _ => Err(ParseError(format!("expected {what}"))),
        }
    }

    fn or(&mut self) -> Result<Filter, ParseError> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.at += 1;
            let right = self.and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, ParseError> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.at += 1;
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, ParseError> {
        if self.keyword("not") {
            self.at += 1;
            self.expect(Token::Open, "\"(\" after not")?;
            let inner = self.or()?;
            self.expect(Token::Close, "\")\"")?;
            return Ok(Filter::Not(Box::new(inner)));
        }
        match self.next() {
            Some(Token::Open) => {
                let inner = self.or()?;
                self.expect(Token::Close, "\")\"")?;
                Ok(inner)
            }
            Some(Token::Word(word)) => {
                let path = parse_attr_path(&word)?;
                if self.peek() == Some(&Token::OpenBracket) {
                    self.at += 1;
                    let inner = self.or()?;
                    self.expect(Token::CloseBracket, "\"]\"")?;
                    return Ok(Filter::ValuePath {
                        attr: path,
                        filter: Box::new(inner),
                    });
                }
                self.attr_exp(path)
            }
            Some(_) => Err(ParseError("expected an attribute, \"(\" or not".into())),
            None => Err(ParseError("the filter ends too early".into())),
        }
    }

    fn attr_exp(&mut self, path: AttrPath) -> Result<Filter, ParseError> {
        let Some(Token::Word(op)) = self.next() else {
            return Err(ParseError(format!(
                "expected an operator after {}",
                path.dotted()
            )));
        };
        if op.eq_ignore_ascii_case("pr") {
            return Ok(Filter::Present(path));
        }
        let op =
            CompareOp::parse(&op).ok_or_else(|| ParseError(format!("unknown operator {op:?}")))?;
        let value = match self.next() {
            Some(Token::Str(s)) => Literal::Str(s),
            Some(Token::Num(n)) => Literal::Num(n),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("true") => Literal::Bool(true),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("false") => Literal::Bool(false),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("null") => Literal::Null,
            _ => {
                return Err(ParseError(format!(
                    "expected a value after {} {}",
                    path.dotted(),
                    op.as_str()
                )))
            }
        };
        Ok(Filter::Compare { path, op, value })
    }
}

/// Parses a whole filter.
pub fn parse(input: &str) -> Result<Filter, ParseError> {
    let mut p = Parser {
        tokens: tokenize(input)?,
        at: 0,
    };
    let f = p.or()?;
    if p.at < p.tokens.len() {
        return Err(ParseError("unexpected text after the filter".into()));
    }
    Ok(f)
}

/// A PATCH operation's `path`: `attr`, `attr.sub`, `attr[filter]` or
/// `attr[filter].sub`, optionally with a schema URN.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    pub attr: AttrPath,
    pub filter: Option<Filter>,
    /// The sub-attribute after a value filter (`emails[type eq "work"].value`).
    pub sub: Option<String>,
}

pub fn parse_path(input: &str) -> Result<PatchPath, ParseError> {
    let input = input.trim();
    let Some(open) = input.find('[') else {
        return Ok(PatchPath {
            attr: parse_attr_path(input)?,
            filter: None,
            sub: None,
        });
    };
    let close = input
        .rfind(']')
        .filter(|c| *c > open)
        .ok_or_else(|| ParseError("expected \"]\" in the path".into()))?;
    let attr = parse_attr_path(&input[..open])?;
    if attr.sub.is_some() {
        return Err(ParseError(
            "a value filter follows an attribute, not a sub-attribute".into(),
        ));
    }
    let filter = parse(&input[open + 1..close])?;
    let rest = &input[close + 1..];
    let sub = match rest.strip_prefix('.') {
        Some(s) if valid_name(s) => Some(s.to_ascii_lowercase()),
        None if rest.is_empty() => None,
        _ => return Err(ParseError(format!("bad text after \"]\": {rest:?}"))),
    };
    Ok(PatchPath {
        attr,
        filter: Some(filter),
        sub,
    })
}

mod display;

#[cfg(test)]
mod tests;
