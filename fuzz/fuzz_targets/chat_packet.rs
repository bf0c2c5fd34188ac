//! The chat socket's packets on any text: the server's method parser (what
//! a client sends) and the client's packet parser (what a server sends)
//! never panic, and a parsed method's reply is well-formed JSON with its id.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let reply = match w3mq_server::channel::packet::parse_method(text) {
        Ok(m) => w3mq_server::channel::packet::reply(&m.id.clone(), &Ok(serde_json::Value::Null)),
        Err((fail, id)) => w3mq_server::channel::packet::reply(&id, &Err(fail)),
    };
    let v: serde_json::Value = serde_json::from_str(&reply).expect("a reply is JSON");
    assert_eq!(v["type"], "reply");
    if let Ok(p) = w3mq_core::channel::packets::Packet::parse(text) {
        let _ = format!("{p:?}");
    }
});
