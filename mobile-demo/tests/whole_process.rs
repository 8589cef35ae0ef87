//! Issue 17: the field day shows the whole sales process, each story through the phone's
//! production paths, in the report and in the demo's own checks; and issue 20: the report
//! speaks to a sales manager (names, titles, time order, no transport errors).
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::sync::OnceLock;

/// One run of the demo (seed 7, two reps), shared by the tests of one process: its stdout and
/// its report.
fn day() -> &'static (String, String) {
    static DAY: OnceLock<(String, String)> = OnceLock::new();
    DAY.get_or_init(run_day)
}

fn run_day() -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_fieldbook-mobile-demo"))
        .args(["--seed", "7", "--leads", "6", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "demo failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.path().join("field-day.html")).unwrap();
    // minijinja escapes `/` in HTML; the bilingual texts read "中文 / English".
    (stdout, html.replace("&#x2f;", "/"))
}

#[test]
fn the_day_shows_the_event_the_pipeline_the_proposal_and_the_week() {
    let (stdout, html) = day();
    assert!(!stdout.contains('✘'), "a check failed:\n{stdout}");
    for check in [
        "the event is on the server end to end",
        "the lead moved stage by stage to the contract",
        "reached 李娜's phone",
        "the supervisor's week agrees with each rep's own phone",
        "the supervisor's week lists every rep who made visits",
        "the server's judge accepted every step (0 refused)",
    ] {
        let line = stdout.lines().find(|l| l.contains(check));
        assert!(
            line.is_some_and(|l| l.contains('✔')),
            "no passed check `{check}`:\n{stdout}"
        );
    }
    for section in [
        "活动 / Event",
        "线索推进 / Lead pipeline",
        "客户提案 / Customer proposal",
        "主管的一周 / The supervisor",
    ] {
        assert!(
            html.contains(section),
            "no section `{section}` in the report"
        );
    }
    for step in [
        "合同签署 / contract",
        "¥860,000",
        "¥430,000",
        "¥380,000",
        "客服部 / customer service",
    ] {
        assert!(html.contains(step), "the report lacks `{step}`");
    }
}

#[test]
fn the_report_speaks_to_a_sales_manager() {
    let (_, html) = day();
    for name in ["李娜", "赵磊", "王强", "周敏"] {
        assert!(html.contains(name), "{name} is not named in the report");
    }
    for raw in [
        "rep.li",
        "sup.wang",
        "cs.zhou",
        "Connection reset",
        "handshake",
        "you registered",
        "您",
    ] {
        assert!(!html.contains(raw), "the report shows `{raw}`");
    }
    let timeline = html.split("时间线").nth(1).unwrap();
    let times: Vec<&str> = timeline
        .split("<tr><td>")
        .skip(1)
        .map(|row| row.split("</td>").next().unwrap())
        .collect();
    assert!(times.len() > 10, "the timeline is short: {times:?}");
    assert!(
        !times.iter().any(|t| t.trim().is_empty() || *t == "—"),
        "{times:?}"
    );
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "not in time order: {times:?}"
    );
}
