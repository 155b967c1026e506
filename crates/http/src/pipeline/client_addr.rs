//! Who the client is, for the limits keyed by address: the socket's peer,
//! or — when that peer is a trusted proxy — the address the proxies
//! reported in `X-Forwarded-For` or `Forwarded` (RFC 7239).
//!
//! The forwarding headers are walked from the right, skipping trusted hops:
//! the first untrusted address is the client. Entries left of it were written
//! by the client itself and are never believed. From an untrusted peer the
//! headers are ignored altogether.

use actix_web::http::header::{self, HeaderMap, HeaderName};
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// An address block (`10.0.0.0/8`, `2001:db8::/32`; a bare address is one
/// host) whose forwarding headers are believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Whether `ip` (an IPv4-mapped IPv6 address counts as IPv4) is inside.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Cidr {
    type Err = String;

    /// `address` or `address/prefix`; the prefix may not exceed the
    /// family's width.
    fn from_str(s: &str) -> Result<Cidr, String> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr = IpAddr::from_str(addr)
            .map_err(|_| format!("{s:?} is not an IP address or CIDR block"))?
            .to_canonical();
        let width = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => width,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(|| format!("{s:?} has a prefix length outside 0..={width}"))?,
        };
        Ok(Cidr { addr, prefix })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// `ORDERCORE_TRUSTED_PROXIES`: CIDR blocks separated by commas or
/// whitespace; an empty list trusts no proxy.
pub fn parse_cidrs(list: &str) -> Result<Vec<Cidr>, String> {
    list.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(Cidr::from_str)
        .collect()
}

fn trusted(ip: IpAddr, proxies: &[Cidr]) -> bool {
    proxies.iter().any(|c| c.contains(ip))
}

/// One forwarded node: `1.2.3.4`, `1.2.3.4:80`, `[2001:db8::1]:80`,
/// `2001:db8::1`; anything else (`unknown`, `_hidden`) is `None`.
fn node(s: &str) -> Option<IpAddr> {
    let s = s.trim().trim_matches('"');
    let ip = IpAddr::from_str(s)
        .ok()
        .or_else(|| SocketAddr::from_str(s).ok().map(|a| a.ip()))
        .or_else(|| {
            let inner = s.strip_prefix('[')?.split(']').next()?;
            IpAddr::from_str(inner).ok()
        })?;
    Some(ip.to_canonical())
}

/// The `for=` node of one RFC 7239 element (`for=…;proto=…;by=…`).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        k.trim().eq_ignore_ascii_case("for").then(|| node(v))?
    })
}

/// Every instance of `name`, in order, as one list of nodes; `None` when
/// the header is absent. An instance that is not text is one unknown node.
fn chain(
    headers: &HeaderMap,
    name: HeaderName,
    parse: fn(&str) -> Option<IpAddr>,
) -> Option<Vec<Option<IpAddr>>> {
    let mut nodes = Vec::new();
    let mut present = false;
    for value in headers.get_all(name) {
        present = true;
        match value.to_str() {
            Ok(v) => nodes.extend(v.split(',').map(parse)),
            Err(_) => nodes.push(None),
        }
    }
    present.then_some(nodes)
}

/// From the right: each node was seen by the hop to its right; the first
/// untrusted one is the client. An unknown node stops the walk at the
/// trusted hop that reported it.
fn walk(peer: IpAddr, nodes: &[Option<IpAddr>], proxies: &[Cidr]) -> IpAddr {
    let mut client = peer;
    for n in nodes.iter().rev() {
        let Some(ip) = n else { break };
        client = *ip;
        if !trusted(client, proxies) {
            break;
        }
    }
    client
}

/// The client's address. `peer` is the socket's; only a trusted peer's
/// forwarding headers are read. When a request carries both headers and
/// they name different clients, one of them came from the client (a proxy
/// manages only one): neither is believed and the peer is the client.
pub fn client_address(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    proxies: &[Cidr],
) -> Option<IpAddr> {
    let peer = peer?.to_canonical();
    if !trusted(peer, proxies) {
        return Some(peer);
    }
    let xff = chain(headers, HeaderName::from_static("x-forwarded-for"), node);
    let fwd = chain(headers, header::FORWARDED, forwarded_for);
    Some(match (xff, fwd) {
        (None, None) => peer,
        (Some(c), None) | (None, Some(c)) => walk(peer, &c, proxies),
        (Some(a), Some(b)) => {
            let (a, b) = (walk(peer, &a, proxies), walk(peer, &b, proxies));
            if a == b { a } else { peer }
        }
    })
}

/// The limiter key of an address: IPv4 whole, IPv6 by its /64 (one
/// subscriber's network, whose 2^64 addresses are free to its owner).
pub fn client_key(addr: Option<IpAddr>) -> String {
    match addr.map(|a| a.to_canonical()) {
        None => "addr:unknown".to_string(),
        Some(IpAddr::V4(ip)) => format!("addr:{ip}"),
        Some(IpAddr::V6(ip)) => {
            let net = std::net::Ipv6Addr::from(u128::from(ip) & !(u128::MAX >> 64));
            format!("addr:{net}/64")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        h
    }

    fn client(peer: &str, pairs: &[(&'static str, &'static str)], proxies: &str) -> IpAddr {
        let proxies = parse_cidrs(proxies).unwrap();
        client_address(Some(ip(peer)), &headers(pairs), &proxies).unwrap()
    }

    #[test]
    fn cidrs_parse_and_match() {
        let c: Vec<Cidr> = parse_cidrs(" 10.0.0.0/8, 2001:db8::/32 192.0.2.7").unwrap();
        assert_eq!(c[0].to_string(), "10.0.0.0/8");
        assert!(c[0].contains(ip("10.200.1.1")));
        assert!(c[0].contains(ip("::ffff:10.1.2.3")));
        assert!(!c[0].contains(ip("11.0.0.1")));
        assert!(c[1].contains(ip("2001:db8:ffff::1")));
        assert!(!c[1].contains(ip("2001:db9::1")));
        assert!(c[2].contains(ip("192.0.2.7")) && !c[2].contains(ip("192.0.2.8")));
        assert!(parse_cidrs("0.0.0.0/0").unwrap()[0].contains(ip("8.8.8.8")));
        assert!(parse_cidrs("10.0.0.0/33").is_err());
        assert!(parse_cidrs("proxy.local").is_err());
        assert!(parse_cidrs("").unwrap().is_empty());
    }

    #[test]
    fn an_untrusted_peer_s_forwarding_headers_are_ignored() {
        let h = [("x-forwarded-for", "1.1.1.1"), ("forwarded", "for=2.2.2.2")];
        assert_eq!(client("203.0.113.9", &h, "10.0.0.0/8"), ip("203.0.113.9"));
        assert_eq!(client("203.0.113.9", &h, ""), ip("203.0.113.9"));
    }

    #[test]
    fn x_forwarded_for_is_walked_from_the_right_through_trusted_hops() {
        let proxies = "10.0.0.0/8";
        // The client wrote 6.6.6.6 itself; the proxy appended the real peer.
        let h = [("x-forwarded-for", "6.6.6.6, 198.51.100.4")];
        assert_eq!(client("10.0.0.2", &h, proxies), ip("198.51.100.4"));
        // Two trusted hops, several header lines.
        let h = [
            ("x-forwarded-for", "6.6.6.6, 198.51.100.4"),
            ("x-forwarded-for", "10.0.0.5"),
        ];
        assert_eq!(client("10.0.0.2", &h, proxies), ip("198.51.100.4"));
        // Ports and brackets, as some proxies write them.
        let h = [("x-forwarded-for", "[2001:db8::7]:443")];
        assert_eq!(client("10.0.0.2", &h, proxies), ip("2001:db8::7"));
        // An unknown node stops at the trusted hop that reported it.
        let h = [("x-forwarded-for", "6.6.6.6, unknown, 10.0.0.5")];
        assert_eq!(client("10.0.0.2", &h, proxies), ip("10.0.0.5"));
        // No header: the proxy itself.
        assert_eq!(client("10.0.0.2", &[], proxies), ip("10.0.0.2"));
    }

    #[test]
    fn forwarded_is_walked_like_x_forwarded_for() {
        let proxies = "10.0.0.0/8";
        let h = [(
            "forwarded",
            "for=6.6.6.6, For=\"[2001:db8:cafe::17]:4711\";proto=https, for=10.0.0.9;by=10.0.0.2",
        )];
        assert_eq!(client("10.0.0.2", &h, proxies), ip("2001:db8:cafe::17"));
        let h = [("forwarded", "for=_hidden, for=\"192.0.2.60:8080\"")];
        assert_eq!(client("10.0.0.2", &h, proxies), ip("192.0.2.60"));
        let h = [("forwarded", "proto=https")];
        assert_eq!(client("10.0.0.2", &h, proxies), ip("10.0.0.2"));
    }

    #[test]
    fn both_headers_must_agree_or_the_peer_is_the_client() {
        let proxies = "10.0.0.0/8";
        let agree = [
            ("x-forwarded-for", "198.51.100.4"),
            ("forwarded", "for=198.51.100.4"),
        ];
        assert_eq!(client("10.0.0.2", &agree, proxies), ip("198.51.100.4"));
        // The proxy manages X-Forwarded-For; the client forged Forwarded.
        let forged = [
            ("x-forwarded-for", "198.51.100.4"),
            ("forwarded", "for=6.6.6.6"),
        ];
        assert_eq!(client("10.0.0.2", &forged, proxies), ip("10.0.0.2"));
    }

    #[test]
    fn ipv6_clients_are_grouped_by_their_64() {
        let a = client_key(Some(ip("2001:db8:1:2:aaaa::1")));
        assert_eq!(a, "addr:2001:db8:1:2::/64");
        assert_eq!(a, client_key(Some(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"))));
        assert_ne!(a, client_key(Some(ip("2001:db8:1:3::1"))));
        assert_eq!(client_key(Some(ip("192.0.2.1"))), "addr:192.0.2.1");
        assert_eq!(client_key(Some(ip("::ffff:192.0.2.1"))), "addr:192.0.2.1");
        assert_ne!(
            client_key(Some(ip("192.0.2.1"))),
            client_key(Some(ip("192.0.2.2")))
        );
        assert_eq!(client_key(None), "addr:unknown");
    }
}
