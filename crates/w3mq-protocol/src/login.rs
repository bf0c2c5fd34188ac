//! Sign-in text: EIP-4361 (SIWE) messages and EIP-55 addresses.

use sha3::{Digest, Keccak256};

/// The first words of the 2022 service's sign-in text, after the domain.
pub const SIWE_HEADER: &str = "wants you to sign in with your Ethereum account:";

/// The statement this project puts in its sign-in text.
pub const SIWE_STATEMENT: &str = "Sign in to Web3MQ.";

/// The fields of a sign-in text.
#[derive(Debug, Clone)]
pub struct SiweFields<'a> {
    /// The server's host (and port), e.g. `127.0.0.1:8780`.
    pub domain: &'a str,
    /// The wallet address, any case: it is written in EIP-55 form.
    pub address: &'a str,
    /// The server's base URL.
    pub uri: &'a str,
    /// The login secret from `POST /login_random_secret`.
    pub nonce: &'a str,
    /// RFC 3339.
    pub issued_at: &'a str,
    /// RFC 3339; the server refuses the text after this time.
    pub expiration_time: &'a str,
}

/// Builds an EIP-4361 message.
pub fn siwe_message(f: &SiweFields<'_>) -> String {
    format!(
        "{domain} {SIWE_HEADER}\n{address}\n\n{SIWE_STATEMENT}\n\nURI: {uri}\nVersion: 1\nChain ID: 1\nNonce: {nonce}\nIssued At: {issued}\nExpiration Time: {exp}",
        domain = f.domain,
        address = to_checksum_address(f.address),
        uri = f.uri,
        nonce = f.nonce,
        issued = f.issued_at,
        exp = f.expiration_time,
    )
}

/// The EIP-55 mixed-case form of a `0x` address (returned unchanged when it
/// is not an address).
pub fn to_checksum_address(addr: &str) -> String {
    if !crate::validate::is_address(addr) {
        return addr.to_owned();
    }
    let lower = addr[2..].to_ascii_lowercase();
    let hash = Keccak256::digest(lower.as_bytes());
    let mut out = String::with_capacity(42);
    out.push_str("0x");
    for (i, c) in lower.chars().enumerate() {
        let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0x0f;
        if c.is_ascii_alphabetic() && nibble >= 8 {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The EIP-191 `personal_sign` digest of `msg`.
pub fn eip191_hash(msg: &[u8]) -> [u8; 32] {
    let mut h = Keccak256::new();
    h.update(format!("\x19Ethereum Signed Message:\n{}", msg.len()).as_bytes());
    h.update(msg);
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eip55_vectors() {
        // From EIP-55.
        for a in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        ] {
            assert_eq!(to_checksum_address(&a.to_ascii_lowercase()), a);
        }
    }

    #[test]
    fn message_has_the_header_and_nonce() {
        let m = siwe_message(&SiweFields {
            domain: "127.0.0.1:8780",
            address: "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
            uri: "http://127.0.0.1:8780",
            nonce: "abcdef0123456789",
            issued_at: "2026-01-01T00:00:00Z",
            expiration_time: "2026-01-01T00:05:00Z",
        });
        assert!(m.starts_with("127.0.0.1:8780 wants you to sign in with your Ethereum account:\n0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed\n"));
        assert!(m.contains("\nNonce: abcdef0123456789\n"));
    }
}
