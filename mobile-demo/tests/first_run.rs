//! Issue 20: a newcomer's first run is safe. `--out` never empties a directory the demo did
//! not create, the default output is a fresh temp directory that is kept, and out-of-range
//! flags are errors.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

fn demo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fieldbook-mobile-demo"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn out_refuses_a_directory_holding_someone_elses_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("季度报表.xlsx");
    std::fs::write(&file, "keep me").unwrap();
    let out = demo(&["--out", dir.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the demo used a foreign directory");
    assert!(
        stderr.contains("不是空的") && stderr.contains("not empty"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "the demo wrote into it"
    );
}

#[test]
fn out_reuses_a_directory_an_earlier_run_created() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("day");
    let args = ["--leads", "2", "--out", dir.to_str().unwrap()];
    assert!(demo(&args).status.success());
    let again = demo(&args);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert!(dir.join("field-day.html").is_file());
}

#[test]
fn without_out_the_report_goes_to_a_fresh_temp_dir_that_is_kept() {
    let out = demo(&["--leads", "2"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let line = stdout.lines().find(|l| l.contains("report:")).unwrap();
    let path = std::path::PathBuf::from(line.split("report: ").nth(1).unwrap().trim());
    assert!(path.is_file(), "the report {} was not kept", path.display());
    let dir = path.parent().unwrap();
    assert!(dir.starts_with(std::env::temp_dir()), "{}", dir.display());
    assert!(
        dir.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("fieldbook-demo-")
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn out_of_range_flags_are_errors_not_clamped() {
    for args in [
        ["--reps", "20"],
        ["--reps", "0"],
        ["--days", "0"],
        ["--days", "32"],
        ["--leads", "1"],
    ] {
        let out = demo(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?} was accepted");
        assert!(
            stderr.contains(args[1]) && stderr.contains("is not in"),
            "{args:?}: {stderr}"
        );
    }
}
