#![no_main]
// Document bytes from a peer or a damaged disk: loading and reading must never panic.
libfuzzer_sys::fuzz_target!(|data: &[u8]| fieldbook_core::fuzzing::load_record(data));
