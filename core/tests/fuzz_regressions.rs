//! Replays every input kept in `fuzz/regressions/` (crashers found by the fuzz targets, plus
//! hand-made hostile documents) through the same entry points the fuzzers call.

use std::path::Path;

#[test]
fn every_kept_fuzz_input_is_handled_without_panicking() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions");
    let mut replayed = 0;
    for (target, run) in [
        (
            "load_record",
            fieldbook_core::fuzzing::load_record as fn(&[u8]),
        ),
        ("apply_to_record", fieldbook_core::fuzzing::apply_to_record),
        ("decode_wire", fieldbook_core::fuzzing::decode_wire),
        ("parse_card", fieldbook_core::fuzzing::parse_card),
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for entry in entries.flatten() {
            let data = std::fs::read(entry.path()).unwrap_or_default();
            run(&data);
            replayed += 1;
        }
    }
    assert!(
        replayed > 0,
        "no fuzz inputs were found under {}",
        root.display()
    );
}
