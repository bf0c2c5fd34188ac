//! `validate_message` on any bytes: it never panics, and what it accepts
//! it accepts again, unchanged, once serialized (the stored form is stable).
#![no_main]

use libfuzzer_sys::fuzz_target;
use w3mq_protocol::validate_message;

const PUBLISHER: &str = "61f1006d604cc5be5f7a3c2d";

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = validate_message(data, PUBLISHER) {
        assert_eq!(m.from_uid, PUBLISHER);
        let again = serde_json::to_vec(&m).expect("a valid message serializes");
        let m2 = validate_message(&again, PUBLISHER).expect("a valid message stays valid");
        assert_eq!(m2, m);
    }
});
