//! The demo's things to show: sudoswap trade cards, the OpenSea item of the
//! item thread, and the collection room.
//!
//! Images are `https://picsum.photos` placeholders (any http(s) URL passes
//! the protocol's checks); the contracts are well-known mainnet ones so the
//! cards look real.

use w3mq_protocol::validate::is_address;
use w3mq_protocol::{OpenSeaItem, SwapAsset, SwapCard};

/// The demo collection room's slug; any user finds the room by it.
pub const COLLECTION_SLUG: &str = "demo-apes";
/// The demo collection room's name.
pub const COLLECTION_NAME: &str = "Demo Apes";
/// The demo collection room's cover image.
pub const COLLECTION_COVER: &str = "https://picsum.photos/seed/demo-apes/400";
/// The companion's avatar.
pub const AVATAR_URL: &str = "https://picsum.photos/seed/w3mq-demo-companion/96";

/// The Bored Ape Yacht Club contract (the NFTs the cards and the item show).
const APES: &str = "0xbc4ca0eda7647a8ab7c2061c2e118a18a936f13d";
/// Wrapped Ether.
const WETH: &str = "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2";
/// USD Coin.
const USDC: &str = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48";

/// Token ids the cards cycle through.
const TOKENS: [u32; 5] = [8817, 3749, 1021, 6262, 4411];

/// A trade card: `creator` (the companion's address) offers an ape for WETH
/// plus USDC; `n` picks which ape and price; `recipient` names the only
/// address that may take it (anything but an address: anyone may). `expiry`
/// is the date shown (e.g. a week from today).
pub fn trade_card(creator: &str, recipient: &str, n: usize, expiry: time::Date) -> SwapCard {
    let token = TOKENS[n % TOKENS.len()];
    let weth = format!("{}.{:02}", 60 + n % 40, (n * 37) % 100);
    SwapCard {
        order_status: "OPEN".into(),
        expiry_date: format!(
            "{:04}-{:02}-{:02}, 11:59 PM",
            expiry.year(),
            u8::from(expiry.month()),
            expiry.day()
        ),
        creator_address: creator.to_ascii_lowercase(),
        recipient_address: if is_address(recipient) {
            recipient.to_ascii_lowercase()
        } else {
            String::new()
        },
        jump_url: format!("https://sudoswap.xyz/#/browse/buy/{APES}?tokenId={token}"),
        asset1_data: vec![SwapAsset {
            address: APES.into(),
            kind: "2".into(),
            id: Some(token.to_string()),
            amount: "1".into(),
            img_url: format!("https://picsum.photos/seed/ape-{token}/96"),
            name: format!("Bored Ape Yacht Club #{token}"),
            symbol: "BAYC".into(),
        }],
        asset2_data: vec![
            SwapAsset {
                address: WETH.into(),
                kind: "1".into(),
                id: None,
                amount: weth,
                img_url: "https://picsum.photos/seed/weth/96".into(),
                name: "Wrapped Ether".into(),
                symbol: "WETH".into(),
            },
            SwapAsset {
                address: USDC.into(),
                kind: "1".into(),
                id: None,
                amount: "250".into(),
                img_url: "https://picsum.photos/seed/usdc/96".into(),
                name: "USD Coin".into(),
                symbol: "USDC".into(),
            },
        ],
    }
}

/// The date a week after `today`.
pub fn expiry_after_week(today: time::Date) -> time::Date {
    today.saturating_add(time::Duration::days(7))
}

/// The OpenSea item the item thread is about.
pub fn opensea_item() -> OpenSeaItem {
    OpenSeaItem {
        contract_address: APES.into(),
        token_id: "8817".into(),
        name: "Bored Ape Yacht Club #8817".into(),
        description: "Gold fur, sea captain's hat, bored expression. One of 10,000 apes \
                      in the Bored Ape Yacht Club."
            .into(),
        image_url: "https://picsum.photos/seed/ape-8817/400".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use w3mq_protocol::{validate_message, Message, MsgType};

    const ME: &str = "61f1006d604cc5be5f7a3c2e";
    const ROOM: &str = "61f1007e604cc5be5f7a3c30";
    const CREATOR: &str = "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

    fn card_message(card: &SwapCard) -> Vec<u8> {
        let m = Message {
            from_uid: ME.into(),
            to_room_id: ROOM.into(),
            msg_type: MsgType::SudoSwapCard.as_str().into(),
            msg_contents: serde_json::to_value(card).unwrap(),
            ..Default::default()
        };
        serde_json::to_vec(&m).unwrap()
    }

    #[test]
    fn every_card_passes_the_servers_checks() {
        let day = time::Date::from_calendar_date(2025, time::Month::December, 28).unwrap();
        for n in 0..12 {
            for recipient in ["", "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "nobody"] {
                let card = trade_card(CREATOR, recipient, n, expiry_after_week(day));
                validate_message(&card_message(&card), ME).unwrap();
                assert!(!card.asset1_data.is_empty() && !card.asset2_data.is_empty());
                assert!(card.jump_url.starts_with("https://sudoswap.xyz/"));
            }
        }
        let card = trade_card(CREATOR, "", 0, expiry_after_week(day));
        assert_eq!(card.expiry_date, "2026-01-04, 11:59 PM");
        assert_eq!(card.creator_address, CREATOR.to_ascii_lowercase());
        assert_eq!(trade_card(CREATOR, "nobody", 0, day).recipient_address, "");
        assert_ne!(
            trade_card(CREATOR, "", 1, day).asset1_data[0].id,
            card.asset1_data[0].id
        );
    }

    #[test]
    fn the_item_passes_the_servers_checks() {
        let item = opensea_item();
        item.check().unwrap();
        assert!(item.image_url.starts_with("https://"));
    }
}
