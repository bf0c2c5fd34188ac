//! Which sign-in texts this server takes: SIWE bound to its own names, and
//! the 2022 bare-secret form unless it is turned off.

use super::AuthError;

/// The sign-in rules of one server.
#[derive(Debug, Clone)]
pub struct SignInPolicy {
    /// Authorities (`host` or `host:port`, lowercase) a SIWE `domain` and the
    /// authority of its `URI` must be one of.
    domains: Vec<String>,
    /// Whether the 2022 form (the signature of the bare secret, no text) is taken.
    pub legacy: bool,
}

impl SignInPolicy {
    /// Takes SIWE texts for `domains`, and the 2022 form when `legacy`.
    pub fn new(domains: impl IntoIterator<Item = String>, legacy: bool) -> Self {
        let mut d: Vec<String> = domains
            .into_iter()
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect();
        d.sort();
        d.dedup();
        SignInPolicy { domains: d, legacy }
    }

    /// The authorities taken.
    pub fn domains(&self) -> &[String] {
        &self.domains
    }

    /// A SIWE text's `domain` and `URI` name this server.
    pub fn check_siwe(&self, m: &siwe::Message) -> Result<(), AuthError> {
        let domain = m.domain.as_str().to_ascii_lowercase();
        if !self.domains.contains(&domain) {
            return Err(AuthError::BadMessage(format!(
                "domain {domain:?} is not this server"
            )));
        }
        let uri = url::Url::parse(m.uri.as_str())
            .map_err(|_| AuthError::BadMessage("URI is not a URL".into()))?;
        if !matches!(uri.scheme(), "http" | "https" | "ws" | "wss") {
            return Err(AuthError::BadMessage("URI is not http(s)".into()));
        }
        let authority = match (uri.host_str(), uri.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            (None, _) => return Err(AuthError::BadMessage("URI has no host".into())),
        }
        .to_ascii_lowercase();
        if !self.domains.contains(&authority) {
            return Err(AuthError::BadMessage(format!(
                "URI {authority:?} is not this server"
            )));
        }
        Ok(())
    }
}

/// The authorities a server is reached at by default: its listener
/// (`localhost` too when it is loopback; every interface address when it
/// listens on all), and the hosts of the URLs it advertises.
pub fn default_domains(listener: std::net::SocketAddr, advertised: &[String]) -> Vec<String> {
    let port = listener.port();
    let mut out = Vec::new();
    let ip = listener.ip();
    let fmt = |ip: std::net::IpAddr| match ip {
        std::net::IpAddr::V4(v4) => format!("{v4}:{port}"),
        std::net::IpAddr::V6(v6) => format!("[{v6}]:{port}"),
    };
    if ip.is_unspecified() {
        if let Ok(ifs) = if_addrs::get_if_addrs() {
            out.extend(ifs.iter().map(|i| fmt(i.ip())));
        }
        out.push(format!("localhost:{port}"));
    } else {
        out.push(fmt(ip));
        if ip.is_loopback() {
            out.push(format!("localhost:{port}"));
        }
    }
    for a in advertised {
        if let Ok(u) = url::Url::parse(a) {
            if let Some(h) = u.host_str() {
                out.push(match u.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_owned(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn text(domain: &str, uri: &str) -> siwe::Message {
        let t = format!(
            "{domain} wants you to sign in with your Ethereum account:\n0x6Da01670d8fc844e736095918bbE11fE8D564163\n\nSign in.\n\nURI: {uri}\nVersion: 1\nChain ID: 1\nNonce: 0123456789abcdef\nIssued At: 2026-01-01T00:00:00Z"
        );
        siwe::Message::from_str(&t).unwrap()
    }

    #[test]
    fn domain_and_uri_must_name_this_server() {
        let p = SignInPolicy::new(
            default_domains(
                "127.0.0.1:8780".parse().unwrap(),
                &["wss://chat.example.com/chat".into()],
            ),
            true,
        );
        assert!(p
            .check_siwe(&text("127.0.0.1:8780", "http://127.0.0.1:8780"))
            .is_ok());
        assert!(p
            .check_siwe(&text("localhost:8780", "http://LOCALHOST:8780/x"))
            .is_ok());
        assert!(p
            .check_siwe(&text("chat.example.com", "https://chat.example.com/"))
            .is_ok());
        assert!(p
            .check_siwe(&text("evil.example", "http://127.0.0.1:8780"))
            .is_err());
        assert!(p
            .check_siwe(&text("127.0.0.1:8780", "https://evil.example"))
            .is_err());
        assert!(p
            .check_siwe(&text("127.0.0.1:8781", "http://127.0.0.1:8781"))
            .is_err());
        assert!(p
            .check_siwe(&text("127.0.0.1:8780", "ftp://127.0.0.1:8780"))
            .is_err());
    }
}
