//! Every REST request body on any bytes: deserializing never panics, and a
//! body that parses serializes and parses back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;
use w3mq_protocol::rest::*;

fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(v) = serde_json::from_slice::<T>(data) {
        let again = serde_json::to_vec(&v).expect("serializes");
        let back: T = serde_json::from_slice(&again).expect("parses back");
        assert_eq!(back, v);
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip::<WalletReq>(data);
    round_trip::<LoginReq>(data);
    round_trip::<RegisterReq>(data);
    round_trip::<InfoReq>(data);
    round_trip::<SearchReq>(data);
    round_trip::<ProfileReq>(data);
    round_trip::<CreateRoomReq>(data);
    round_trip::<AddMembersReq>(data);
    round_trip::<PageReq>(data);
    round_trip::<MessagesReq>(data);
    round_trip::<ExistingReq>(data);
    round_trip::<ThreadReq>(data);
    round_trip::<ContactReq>(data);
});
