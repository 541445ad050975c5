//! Where a webhook may be delivered (API.md §10): an http(s) URL whose host resolves to
//! public addresses only. Loopback, private (RFC 1918, ULA), link-local, unspecified,
//! CGNAT (100.64/10) and cloud metadata addresses are refused, unless the settings allow
//! them (local development, tests). The check runs on the addresses DNS gives at create
//! and PATCH time, and again on those each delivery connects to (`send`), since DNS may
//! change in between.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, ToSocketAddrs};

/// The longest URL taken, as for `avatar_url`.
pub const MAX_URL: usize = 2048;

/// Why an address may not be a target; `None` when it may.
pub fn refused(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refused_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return refused_v4(v4);
            }
            let seg = v6.segments();
            if v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
                Some("a cloud metadata address")
            } else if v6.is_loopback() {
                Some("a loopback address")
            } else if v6.is_unspecified() {
                Some("the unspecified address")
            } else if seg[0] & 0xfe00 == 0xfc00 {
                Some("a private (unique local) address")
            } else if seg[0] & 0xffc0 == 0xfe80 {
                Some("a link-local address")
            } else if seg[0] & 0xff00 == 0xff00 {
                Some("a multicast address")
            } else {
                None
            }
        }
    }
}

fn refused_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    if ip == Ipv4Addr::new(169, 254, 169, 254) {
        Some("a cloud metadata address")
    } else if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_unspecified() || o[0] == 0 {
        Some("the unspecified address")
    } else if ip.is_private() {
        Some("a private address")
    } else if ip.is_link_local() {
        Some("a link-local address")
    } else if o[0] == 100 && o[1] & 0xc0 == 64 {
        Some("a shared (CGNAT) address")
    } else if ip.is_broadcast() || ip.is_multicast() {
        Some("a broadcast or multicast address")
    } else {
        None
    }
}

/// Checks a URL's form: http or https, a host, at most `MAX_URL` bytes.
pub fn parse_url(s: &str) -> Result<url::Url, String> {
    let message = "url must be an http or https URL with a host, of at most 2048 characters";
    if s.len() > MAX_URL {
        return Err(message.into());
    }
    let url = url::Url::parse(s).map_err(|_| message.to_string())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(message.into());
    }
    Ok(url)
}

/// Resolves `host:port` and checks every address it gives: the addresses to connect to,
/// or why the target is refused (one refused address refuses the target: DNS could
/// hand out that one next).
pub fn resolve_checked(netloc: &str, allow_private: bool) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> = netloc
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {netloc}: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{netloc} resolves to no address"));
    }
    if !allow_private {
        for a in &addrs {
            if let Some(why) = refused(a.ip()) {
                return Err(format!(
                    "{netloc} resolves to {}, {why}: refused as a webhook target",
                    a.ip()
                ));
            }
        }
    }
    Ok(addrs)
}

/// Checks a URL as a target now (blocking: it resolves the host).
pub fn check_url(url: &url::Url, allow_private: bool) -> Result<(), String> {
    let host = url.host_str().unwrap_or_default();
    // An IPv6 literal keeps its brackets in host_str, as `to_socket_addrs` wants them.
    let port = url.port_or_known_default().unwrap_or(80);
    resolve_checked(&format!("{host}:{port}"), allow_private).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.1.1",
            "0.0.0.0",
            "100.64.0.1",
            "100.127.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "fd00:ec2::254",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(refused(ip.parse().unwrap()).is_some(), "{ip}");
        }
        for ip in ["93.184.216.34", "100.128.0.1", "2606:4700::1111", "8.8.8.8"] {
            assert!(refused(ip.parse().unwrap()).is_none(), "{ip}");
        }
    }

    #[test]
    fn urls_are_http_or_https_with_a_host() {
        assert!(parse_url("https://example.com/hook").is_ok());
        assert!(parse_url("http://[::1]:8080/x").is_ok());
        assert!(parse_url("ftp://example.com").is_err());
        assert!(parse_url("https://").is_err());
        assert!(parse_url("not a url").is_err());
        assert!(parse_url(&format!("https://example.com/{}", "a".repeat(2048))).is_err());
    }

    #[test]
    fn literal_targets_are_checked_without_dns() {
        let u = parse_url("http://127.0.0.1:9/x").unwrap();
        assert!(check_url(&u, false).is_err());
        assert!(check_url(&u, true).is_ok());
        let u = parse_url("http://[::1]:9/x").unwrap();
        assert!(check_url(&u, false).is_err());
        let u = parse_url("http://10.0.0.1/x").unwrap();
        assert!(check_url(&u, false).is_err());
    }
}
