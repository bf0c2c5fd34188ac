//! My profile and other people's (issue 12): change my nickname and avatar at
//! any time, show my address as a QR code with a text to share, and "message"
//! someone from their profile (their 1v1 room, opened or created).

use serde::Serialize;
use w3mq_protocol::{Room, User};

use crate::engine::Engine;
use crate::error::{CoreError, Result};

/// The longest avatar URL accepted.
pub const MAX_AVATAR_URL: usize = 2048;

/// A QR code: `size` × `size` modules, row by row, `true` dark.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct QrView {
    /// Modules per side.
    pub size: u32,
    /// The modules, row by row (`size * size` of them).
    pub dark: Vec<bool>,
}

/// My address to share: the QR code of `ethereum:<address>` (EIP-681, what wallets scan) and a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ShareView {
    /// The address.
    pub address: String,
    /// Its QR code.
    pub qr: QrView,
    /// A sentence to paste elsewhere.
    pub text: String,
}

/// The QR code of `text` (error correction M).
pub fn qr(text: &str) -> Result<QrView> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M)
        .map_err(|e| CoreError::InvalidInput(e.to_string()))?;
    let size = code.width() as u32;
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Ok(QrView { size, dark })
}

/// An avatar URL as the profile takes it: empty (none) or an absolute https URL.
pub fn check_avatar_url(url: &str) -> Result<()> {
    if url.is_empty() {
        return Ok(());
    }
    let ok = url.len() <= MAX_AVATAR_URL
        && url::Url::parse(url).is_ok_and(|u| u.scheme() == "https" && u.host().is_some());
    if ok {
        Ok(())
    } else {
        Err(CoreError::InvalidInput(
            "an avatar is an https:// address of a picture".into(),
        ))
    }
}

impl Engine {
    /// Changes my nickname and/or avatar (`None`: unchanged; an empty avatar removes it).
    pub async fn update_profile(
        &self,
        nick_name: Option<&str>,
        avatar_url: Option<&str>,
    ) -> Result<User> {
        let nick = nick_name.map(str::trim);
        if let Some(n) = nick {
            if n.is_empty() {
                return Err(CoreError::InvalidInput(
                    "a nickname has 1 to 64 characters".into(),
                ));
            }
            w3mq_protocol::check_nick_name(n)
                .map_err(|e| CoreError::InvalidInput(e.to_string()))?;
        }
        let avatar = avatar_url.map(str::trim);
        if let Some(a) = avatar {
            check_avatar_url(a)?;
        }
        self.set_profile(nick, avatar).await
    }

    /// My address to share (QR code and text).
    pub async fn share(&self) -> Result<ShareView> {
        let address = self.address().await?;
        Ok(ShareView {
            qr: qr(&format!("ethereum:{address}"))?,
            text: format!("Message me on Web3MQ: {address}"),
            address,
        })
    }

    /// The 1v1 room with `user_id`: the one I am in already, else a new one.
    pub async fn open_direct(&self, user_id: &str) -> Result<Room> {
        let me = self.me().await?;
        if user_id == me {
            return Err(CoreError::InvalidInput(
                "that is you: pick someone else".into(),
            ));
        }
        let rooms = self.room_list().await?;
        let existing = rooms
            .into_iter()
            .map(|s| s.room)
            .find(|r| r.is_1v1 && r.members.iter().any(|m| m.user_id == user_id));
        match existing {
            Some(r) => Ok(r),
            None => self.create_room(&[user_id.to_owned()]).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_qr_code_is_square_and_avatars_are_https_only() {
        let q = qr("ethereum:0x9858effd232b4033e47d90003d41ec34ecaeda94").unwrap();
        assert!(q.size >= 21);
        assert_eq!(q.dark.len(), (q.size * q.size) as usize);
        assert!(q.dark.iter().any(|d| *d) && q.dark.iter().any(|d| !*d));
        assert!(check_avatar_url("").is_ok());
        assert!(check_avatar_url("https://example.com/a.png").is_ok());
        for bad in [
            "http://example.com/a.png",
            "javascript:alert(1)",
            "data:image/png;base64,AA",
            "https://",
            "a.png",
        ] {
            assert!(check_avatar_url(bad).is_err(), "{bad}");
        }
        assert!(
            check_avatar_url(&format!("https://e.com/{}", "a".repeat(MAX_AVATAR_URL))).is_err()
        );
    }
}
