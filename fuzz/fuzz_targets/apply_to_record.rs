#![no_main]
// Changes from a peer merged into an existing record: merging and reading must never panic.
libfuzzer_sys::fuzz_target!(|data: &[u8]| fieldbook_core::fuzzing::apply_to_record(data));
