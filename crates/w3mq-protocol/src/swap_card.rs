//! The `sudo_swap_card` structure of seed 000.

use serde::{Deserialize, Serialize};

/// A sudoswap trade card.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SwapCard {
    /// e.g. `OPEN`.
    pub order_status: String,
    /// Free text as the seed shows it, e.g. `2022-05-14, 12:00 AM`.
    pub expiry_date: String,
    /// `0x` + 40 hex digits.
    pub creator_address: String,
    /// `0x` + 40 hex digits, or empty for anyone.
    #[serde(default)]
    pub recipient_address: String,
    /// http(s) link to the order.
    pub jump_url: String,
    /// What the creator gives.
    pub asset1_data: Vec<SwapAsset>,
    /// What the creator asks for.
    pub asset2_data: Vec<SwapAsset>,
}

/// One asset of a trade card.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SwapAsset {
    /// Token contract, `0x` + 40 hex digits.
    pub address: String,
    /// `1` fungible, `2` NFT (as the seed's example).
    #[serde(rename = "type")]
    pub kind: String,
    /// Token id for NFTs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub id: Option<String>,
    /// Decimal amount as text.
    pub amount: String,
    /// http(s) image URL.
    #[serde(rename = "imgURL")]
    pub img_url: String,
    /// Token name.
    pub name: String,
    /// Token symbol.
    pub symbol: String,
}
