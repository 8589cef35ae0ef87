#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;

use super::*;
use crate::ids::RecordId;
use crate::rules::test_support::{act, sh, user};

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn entry(customer: u8, in_depth: bool) -> LogEntry {
    LogEntry {
        customer_id: Some(RecordId::from_random_bytes([customer; 16])),
        in_depth,
        ..LogEntry::default()
    }
}

fn content() -> LogContent {
    LogContent {
        entries: vec![entry(1, true), entry(2, false)],
        problems: "客户要求延期付款".into(),
        next_day_plan: "拜访华联超市".into(),
    }
}

#[test]
fn one_id_per_rep_and_day_every_device_derives_seed_003() {
    let (li, wang) = (user("rep.li"), user("rep.wang"));
    let next = day().succ_opt().unwrap();
    assert_eq!(new_log(&li, day()).meta.id, DailyLog::id_for(&li, day()));
    assert_eq!(DailyLog::id_for(&li, day()), DailyLog::id_for(&li, day()));
    assert_ne!(DailyLog::id_for(&li, day()), DailyLog::id_for(&wang, day()));
    assert_ne!(DailyLog::id_for(&li, day()), DailyLog::id_for(&li, next));
    let id = DailyLog::id_for(&li, day());
    assert!(id.is_named() && !id.is_reserved());
    assert!(!RecordId::from_random_bytes([9; 16]).is_named());
    assert_eq!(new_log(&li, day()).meta.owner, li);
}

#[test]
fn due_at_21_and_late_after_it_but_still_submitted_seed_003() {
    let cal = WorkCalendar::china_default();
    let mut log = new_log(&user("rep.li"), day());
    fill(&mut log, content(), &act(sh(2026, 11, 23, 18, 0))).unwrap();
    assert!(
        log.entries.iter().all(|e| !e.id.is_empty()),
        "entries get ids"
    );
    assert_eq!(due_at(&log, &cal), Some(sh(2026, 11, 23, 21, 0)));
    let mut on_time = log.clone();
    submit(&mut on_time, &act(sh(2026, 11, 23, 21, 0)), &cal).unwrap();
    assert!(!is_late(&on_time, &cal), "21:00 sharp is on time");
    submit(&mut log, &act(sh(2026, 11, 23, 21, 1)), &cal).unwrap();
    assert!(is_late(&log, &cal), "21:01 is late, and recorded");
    assert_eq!(log.submitted_at, Some(sh(2026, 11, 23, 21, 1)));
}

#[test]
fn submitted_content_is_frozen_and_submitted_once_seed_003() {
    let cal = WorkCalendar::china_default();
    let mut log = new_log(&user("rep.li"), day());
    fill(&mut log, content(), &act(sh(2026, 11, 23, 18, 0))).unwrap();
    submit(&mut log, &act(sh(2026, 11, 23, 20, 0)), &cal).unwrap();
    let e = fill(
        &mut log,
        LogContent::default(),
        &act(sh(2026, 11, 23, 20, 5)),
    )
    .unwrap_err();
    assert!(e.to_string().contains("daily_log.submitted_frozen"), "{e}");
    assert_eq!(log.entries.len(), 2, "nothing changed");
    assert!(submit(&mut log, &act(sh(2026, 11, 23, 20, 6)), &cal).is_err());
    assert_eq!(log.submitted_at, Some(sh(2026, 11, 23, 20, 0)));
}

#[test]
fn no_entry_without_a_customer_and_no_log_of_tomorrow() {
    let cal = WorkCalendar::china_default();
    let mut log = new_log(&user("rep.li"), day());
    let blank = LogContent {
        entries: vec![LogEntry::default()],
        ..content()
    };
    let e = fill(&mut log, blank, &act(sh(2026, 11, 23, 18, 0))).unwrap_err();
    assert!(
        e.to_string().contains("daily_log.entry_names_customer"),
        "{e}"
    );
    let e = submit(&mut log, &act(sh(2026, 11, 22, 23, 59)), &cal).unwrap_err();
    assert!(e.to_string().contains("daily_log.not_before_day"), "{e}");
    assert!(log.submitted_at.is_none());
}

#[test]
fn acknowledged_only_once_and_only_when_submitted() {
    let cal = WorkCalendar::china_default();
    let mut log = new_log(&user("rep.li"), day());
    let sup = act(sh(2026, 11, 23, 21, 30)).by(user("sup.zhao"));
    assert!(acknowledge(&mut log, "", &sup).is_err());
    submit(&mut log, &act(sh(2026, 11, 23, 20, 0)), &cal).unwrap();
    acknowledge(&mut log, " 收到 ", &sup).unwrap();
    let ack = log.acknowledged.clone().unwrap();
    assert_eq!((ack.by, ack.comment.as_str()), (user("sup.zhao"), "收到"));
    assert!(acknowledge(&mut log, "again", &sup).is_err());
}
