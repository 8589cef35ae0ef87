#![no_main]
// A badge's or business card's QR payload, printed by anyone: reading it as a vCard 2.1/3.0/4.0,
// a MECARD or a text block (charsets, quoted-printable, folding, escapes) must never panic.
libfuzzer_sys::fuzz_target!(|data: &[u8]| fieldbook_core::fuzzing::parse_card(data));
