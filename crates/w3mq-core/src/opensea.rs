//! OpenSea URLs, both ways: the item page of a contract and token id, and
//! an item's fields from a pasted item URL
//! (`https://opensea.io/assets/<chain>/<contract>/<token>`, the older
//! `/assets/<contract>/<token>`, and `/item/…`).

use w3mq_protocol::OpenSeaItem;

/// The OpenSea page of an item.
pub fn item_url(contract: &str, token_id: &str) -> String {
    format!("https://opensea.io/assets/ethereum/{contract}/{token_id}")
}

/// The contract and token id of an OpenSea item URL; name, description and
/// image are left for the user to fill in.
pub fn parse_item_url(url: &str) -> Option<OpenSeaItem> {
    let u = url::Url::parse(url.trim()).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    let host = u.host_str()?;
    if !(host == "opensea.io" || host.ends_with(".opensea.io")) {
        return None;
    }
    let segs: Vec<&str> = u.path_segments()?.filter(|s| !s.is_empty()).collect();
    let i = segs.iter().position(|s| *s == "assets" || *s == "item")?;
    let rest = &segs[i + 1..];
    let (contract, token) = match rest {
        [c, t] => (*c, *t),
        [_chain, c, t, ..] => (*c, *t),
        _ => return None,
    };
    let item = OpenSeaItem {
        contract_address: contract.to_ascii_lowercase(),
        token_id: token.to_owned(),
        ..Default::default()
    };
    let ok = w3mq_protocol::validate::is_address(&item.contract_address)
        && !item.token_id.is_empty()
        && item.token_id.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(item)
}

#[cfg(test)]
mod tests {
    use super::parse_item_url as parse;

    const C: &str = "0xbc4ca0eda7647a8ab7c2061c2e118a18a936f13d";

    #[test]
    fn chain_and_legacy_paths() {
        let a = parse(&format!("https://opensea.io/assets/ethereum/{C}/42")).expect("chain path");
        assert_eq!(
            (a.contract_address.as_str(), a.token_id.as_str()),
            (C, "42")
        );
        let b = parse(&format!("https://opensea.io/assets/{C}/7")).expect("legacy path");
        assert_eq!(b.token_id, "7");
    }

    #[test]
    fn other_hosts_schemes_and_bad_fields_are_refused() {
        assert!(parse(&format!("https://evil.example/assets/ethereum/{C}/1")).is_none());
        assert!(parse(&format!("javascript://opensea.io/assets/{C}/1")).is_none());
        assert!(parse("https://opensea.io/assets/ethereum/0x12/1").is_none());
        assert!(parse(&format!("https://opensea.io/assets/ethereum/{C}/abc")).is_none());
        assert!(parse("not a url").is_none());
    }
}
