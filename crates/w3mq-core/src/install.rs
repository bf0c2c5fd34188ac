//! This install's MQTT client id suffix.
//!
//! The server binds a client id to the user that signs in with it
//! (`<user_id>` or `<user_id>-<suffix>`), and a CONNECT with a live client
//! id takes that session over. So each install gets a random suffix, made on
//! first start and kept with its data: two installs of one account never
//! push each other off, and nobody can guess the id of anyone's desktop.

use std::path::Path;

const FILE: &str = "install-id";

/// `<device>-<random>`, the part of the client id after `<user_id>-`: the
/// device name (letters, digits, `-`, `_`, `.`; others dropped; at most 32)
/// and this install's random id, read from `data_dir` or made there.
pub fn client_suffix(data_dir: &Path, device: &str) -> std::io::Result<String> {
    let path = data_dir.join(FILE);
    let id = match std::fs::read_to_string(&path) {
        Ok(s) if is_install_id(s.trim()) => s.trim().to_owned(),
        _ => {
            std::fs::create_dir_all(data_dir)?;
            let id = hex::encode(rand::random::<[u8; 8]>());
            std::fs::write(&path, &id)?;
            id
        }
    };
    let name: String = device
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(32)
        .collect();
    Ok(if name.is_empty() {
        id
    } else {
        format!("{name}-{id}")
    })
}

fn is_install_id(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let a = client_suffix(dir.path(), "desktop").unwrap();
        let b = client_suffix(dir.path(), "desktop").unwrap();
        assert_eq!(a, b, "kept with the install's data");
        assert!(a.starts_with("desktop-") && a.len() == "desktop-".len() + 16);
        let other = tempfile::tempdir().unwrap();
        assert_ne!(client_suffix(other.path(), "desktop").unwrap(), a);
        let odd = client_suffix(dir.path(), "my laptop/ü").unwrap();
        assert!(odd.starts_with("mylaptop-"), "{odd}");
    }
}
