//! actix-http's own bodiless error answers, found at the end of what its dispatcher
//! writes, and the §7 response written in their place.

use actix_web::http::StatusCode;
use actix_web::ResponseError;

use crate::error::ApiError;

/// Where actix-http's own bodiless error response starts in what it writes.
pub(super) struct ActixAnswer<'a> {
    pub start: usize,
    pub status: u16,
    /// `HTTP/1.1` or `HTTP/1.0`, from the buffer's start (which is `start` when used).
    pub version_len: usize,
    pub date: Option<&'a [u8]>,
}

/// How far back from the end of a write actix-http's error head can start: it is a
/// status line and three short headers.
const ANSWER_TAIL: usize = 256;

/// Finds actix-http's bodiless `400`, `408`, `431` or `500` at the end of `buf` (it
/// closes the connection after one, so nothing follows). Only a write that ends a
/// head is looked into; a body (JSON) never holds the head's CR LF pairs.
pub(super) fn actix_answer(buf: &[u8]) -> Option<ActixAnswer<'_>> {
    if !buf.ends_with(b"\r\n\r\n") {
        return None;
    }
    let from = buf.len().saturating_sub(ANSWER_TAIL);
    let start = from + memchr::memmem::rfind(&buf[from..], b"HTTP/1.")?;
    let head = &buf[start..buf.len() - 4];
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = lines.next()?;
    if status_line.len() < 13 || !matches!(status_line[7], b'0' | b'1') || status_line[8] != b' ' {
        return None;
    }
    let status = match &status_line[9..13] {
        b"400 " => 400,
        b"408 " => 408,
        b"431 " => 431,
        b"500 " => 500,
        _ => return None,
    };
    let (mut bodiless, mut date) = (false, None);
    for line in lines {
        let lower = |prefix: &[u8]| {
            line.len() >= prefix.len() && line[..prefix.len()].eq_ignore_ascii_case(prefix)
        };
        if line.eq_ignore_ascii_case(b"content-length: 0") {
            bodiless = true;
        } else if lower(b"date: ") {
            date = Some(&line[6..]);
        } else if !(line.eq_ignore_ascii_case(b"connection: close")
            || line.eq_ignore_ascii_case(b"connection: keep-alive"))
        {
            return None;
        }
    }
    bodiless.then_some(ActixAnswer {
        start,
        status,
        version_len: 8,
        date,
    })
}

/// The whole response for `error`: the §7 body, and the connection closed after it.
pub(super) fn answer_bytes(error: &ApiError, version: &[u8], date: Option<&[u8]>) -> Vec<u8> {
    let status: StatusCode = error.status_code();
    let body = error.body_bytes();
    let mut out = Vec::with_capacity(200 + body.len());
    out.extend_from_slice(version);
    out.extend_from_slice(
        format!(
            " {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
            status.as_u16(),
            status.canonical_reason().unwrap_or(""),
            body.len()
        )
        .as_bytes(),
    );
    if let Some(date) = date {
        out.extend_from_slice(b"date: ");
        out.extend_from_slice(date);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_actix_answers_and_only_those() {
        let own = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\ndate: Tue, 01 Dec 2026 10:07:22 GMT\r\n\r\n";
        let found = actix_answer(own).unwrap();
        assert_eq!((found.start, found.status), (0, 400));
        assert_eq!(found.date, Some(&b"Tue, 01 Dec 2026 10:07:22 GMT"[..]));
        let after = [
            &b"HTTP/1.0 200 OK\r\ncontent-length: 2\r\nx-request-id: a\r\n\r\n{}"[..],
            &own[..],
        ]
        .concat();
        let found = actix_answer(&after).unwrap();
        assert_eq!(&after[found.start..], &own[..]);
        for status in [
            &b"408 Request Timeout"[..],
            b"431 Request Header Fields Too Large",
            b"500 Internal Server Error",
        ] {
            let head = [&b"HTTP/1.1 "[..], status, b"\r\ncontent-length: 0\r\n\r\n"].concat();
            assert!(actix_answer(&head).is_some());
        }
        // Roster's own answers: a body, or other headers; other statuses.
        for not in [
            &b"HTTP/1.1 400 Bad Request\r\ncontent-length: 87\r\ncontent-type: application/json\r\n\r\n"[..],
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nx-request-id: 1\r\n\r\n",
            b"HTTP/1.1 204 No Content\r\nx-request-id: 1\r\n\r\n",
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n",
            b"{\"errors\": []}",
        ] {
            assert!(actix_answer(not).is_none(), "{}", String::from_utf8_lossy(not));
        }
    }
}
