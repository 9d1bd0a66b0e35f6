//! The event decoder (`crates/contracts/src/codec.rs`) on any AMQP body: never a panic,
//! and anything it accepts satisfies the contract — it encodes again, and decodes back to
//! the same event.
#![no_main]

use libfuzzer_sys::fuzz_target;
use navsync_contracts::{decode, encode};

fuzz_target!(|data: &[u8]| {
    let Ok(event) = decode(data) else {
        return;
    };
    let bytes = match encode(&event) {
        Ok(bytes) => bytes,
        Err(e) => panic!("decoded but does not encode: {e}: {event:?}"),
    };
    match decode(&bytes) {
        Ok(again) => assert_eq!(again, event, "the round trip changed the event"),
        Err(e) => panic!("encoded but does not decode: {e}"),
    }
});
