//! Who is on the other end: the client address behind an optional trusted
//! reverse proxy, and the per-address cap on open WebSocket connections.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::ConnectInfo;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use dashmap::DashMap;
use ipnet::IpNet;

/// The client address of a request, as the limits count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The proxies to believe and the WebSocket cap.
pub struct Peers {
    trusted: Vec<IpNet>,
    per_address: usize,
    open: DashMap<IpAddr, usize>,
}

impl Peers {
    /// Believes `X-Forwarded-For` from `trusted`; allows `per_address` open
    /// WebSockets per client address (0: no limit).
    pub fn new(trusted: Vec<IpNet>, per_address: usize) -> Arc<Peers> {
        Arc::new(Peers {
            trusted,
            per_address,
            open: DashMap::new(),
        })
    }

    fn is_trusted(&self, ip: IpAddr) -> bool {
        self.trusted.iter().any(|n| n.contains(&ip))
    }

    /// The client of a request: the peer, or, when the peer is a trusted
    /// proxy, the nearest address in `X-Forwarded-For` that is not one.
    pub fn client(&self, parts: &Parts) -> ClientIp {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip())
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        self.client_of(peer, &parts.headers)
    }

    /// [`Peers::client`] from the peer's address and the request headers.
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> ClientIp {
        if self.trusted.is_empty() || !self.is_trusted(peer) {
            return ClientIp(peer);
        }
        let hops = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect::<Vec<_>>();
        for h in hops.iter().rev() {
            match h.parse::<IpAddr>() {
                Ok(ip) if self.is_trusted(ip) => continue,
                Ok(ip) => return ClientIp(ip),
                // A hop we cannot read: stop believing the header there.
                Err(_) => break,
            }
        }
        ClientIp(peer)
    }

    /// Counts one more open WebSocket for `ip`; `None` over the cap. The
    /// count drops with the returned guard.
    pub fn open_socket(self: &Arc<Self>, ip: IpAddr) -> Option<SocketGuard> {
        let mut n = self.open.entry(ip).or_insert(0);
        if self.per_address > 0 && *n >= self.per_address {
            return None;
        }
        *n += 1;
        Some(SocketGuard {
            peers: self.clone(),
            ip,
        })
    }
}

/// One open WebSocket of a client address.
pub struct SocketGuard {
    peers: Arc<Peers>,
    ip: IpAddr,
}

impl Drop for SocketGuard {
    fn drop(&mut self) {
        if let Some(mut n) = self.peers.open.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
        }
        self.peers.open.remove_if(&self.ip, |_, n| *n == 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn parts(peer: &str, xff: Option<&str>) -> Parts {
        let mut b = Request::builder().uri("/x");
        if let Some(x) = xff {
            b = b.header("x-forwarded-for", x);
        }
        let (mut p, _) = b.body(()).unwrap().into_parts();
        p.extensions
            .insert(ConnectInfo::<SocketAddr>(peer.parse().unwrap()));
        p
    }

    #[test]
    fn forwarded_for_only_from_a_trusted_proxy() {
        let p = Peers::new(vec!["10.0.0.0/8".parse().unwrap()], 0);
        let ip = |s: &str| ClientIp(s.parse().unwrap());
        assert_eq!(
            p.client(&parts("203.0.113.9:1", Some("1.2.3.4"))),
            ip("203.0.113.9"),
            "an untrusted peer cannot name another client"
        );
        assert_eq!(
            p.client(&parts("10.0.0.1:1", Some("1.2.3.4, 10.0.0.7"))),
            ip("1.2.3.4")
        );
        assert_eq!(
            p.client(&parts("10.0.0.1:1", Some("6.6.6.6, 1.2.3.4"))),
            ip("1.2.3.4"),
            "what the client wrote itself stays to the left"
        );
        assert_eq!(p.client(&parts("10.0.0.1:1", None)), ip("10.0.0.1"));
    }

    #[test]
    fn per_address_cap_and_release() {
        let p = Peers::new(vec![], 2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let g1 = p.open_socket(a).unwrap();
        let _g2 = p.open_socket(a).unwrap();
        assert!(p.open_socket(a).is_none());
        assert!(p.open_socket(b).is_some(), "another address");
        drop(g1);
        assert!(p.open_socket(a).is_some());
    }
}
