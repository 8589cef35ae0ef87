#![no_main]
// A WebSocket frame from anyone who holds a token: decoding it (CBOR, the Automerge sync
// message inside, the inflation guard) must never panic.
libfuzzer_sys::fuzz_target!(|data: &[u8]| fieldbook_core::fuzzing::decode_wire(data));
