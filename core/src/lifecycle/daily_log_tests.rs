#![allow(clippy::unwrap_used)]

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::*;
use crate::access::Directory;
use crate::calendar::WorkCalendar;
use crate::ids::RecordId;
use crate::model::LogEntry;
use crate::rules::daily_log as dl;
use crate::rules::test_support::{sh, user};

fn dir() -> Directory {
    let mut d = Directory::new();
    d.insert(user("rep.li"), Role::FieldRep, Some("east"));
    d.insert(user("rep.wang"), Role::FieldRep, Some("west"));
    d.insert(user("sup.zhao"), Role::Supervisor, Some("east"));
    d.insert(user("sup.qian"), Role::Supervisor, Some("west"));
    d
}

/// The server judging `who` at `now`, with the device's previous sync an hour earlier.
fn judged(before: Option<&DailyLog>, after: &DailyLog, who: &str, now: DateTime<Utc>) -> Verdict {
    let (d, cal, u) = (dir(), WorkCalendar::china_default(), user(who));
    let ctx = Context {
        user: &u,
        role: d.role(&u),
        now,
        floor: Some(now - TimeDelta::hours(1)),
        dir: Some(&d),
        calendar: &cal,
    };
    let json = |l: &DailyLog| {
        let mut j = serde_json::to_value(l).unwrap();
        j["kind"] = "daily_log".into();
        j
    };
    super::super::judge(before.map(json).as_ref(), &json(after), &ctx)
}

fn rule(v: Verdict) -> &'static str {
    v.err().map_or("", |v| v.rule)
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

fn draft() -> DailyLog {
    let mut log = dl::new_log(&user("rep.li"), day());
    log.entries = vec![LogEntry {
        id: "e1".into(),
        customer_id: Some(RecordId::from_random_bytes([1; 16])),
        in_depth: true,
        ..LogEntry::default()
    }];
    log
}

fn submitted(at: DateTime<Utc>) -> DailyLog {
    let mut log = draft();
    log.submitted_at = Some(at);
    log
}

#[test]
fn only_the_rep_creates_her_log_at_its_derived_id_seed_003() {
    let now = sh(2026, 11, 23, 18, 0);
    assert_eq!(judged(None, &draft(), "rep.li", now), Ok(()));
    assert_eq!(
        rule(judged(None, &draft(), "rep.wang", now)),
        "daily_log.rep_writes"
    );
    let mut elsewhere = draft();
    elsewhere.meta.id = RecordId::from_random_bytes([7; 16]);
    assert_eq!(
        rule(judged(None, &elsewhere, "rep.li", now)),
        "daily_log.id_of_rep_and_day"
    );
    let mut no_day = draft();
    no_day.day = None;
    assert_eq!(
        rule(judged(None, &no_day, "rep.li", now)),
        "daily_log.id_of_rep_and_day"
    );
    let mut theirs = draft();
    theirs.meta.owner = user("sup.zhao");
    assert_eq!(
        rule(judged(None, &theirs, "rep.li", now)),
        "daily_log.owner_is_rep"
    );
    // Her supervisor reads it but does not write it.
    let mut edited = draft();
    edited.problems = "主管改的".into();
    assert_eq!(
        rule(judged(Some(&draft()), &edited, "sup.zhao", now)),
        "daily_log.rep_writes"
    );
}

#[test]
fn submitted_at_is_claimed_once_and_freezes_the_content_seed_003() {
    let now = sh(2026, 11, 23, 20, 0);
    assert_eq!(
        judged(Some(&draft()), &submitted(now), "rep.li", now),
        Ok(())
    );
    let back = submitted(now - TimeDelta::hours(3));
    assert_eq!(
        rule(judged(Some(&draft()), &back, "rep.li", now)),
        "daily_log.submitted_at_claimed"
    );
    let future = submitted(now + TimeDelta::hours(1));
    assert_eq!(
        rule(judged(Some(&draft()), &future, "rep.li", now)),
        "daily_log.submitted_at_claimed"
    );
    let done = submitted(now);
    let mut corrected = done.clone();
    corrected.entries[0].in_depth = false;
    assert_eq!(
        rule(judged(Some(&done), &corrected, "rep.li", now)),
        "daily_log.submitted_frozen"
    );
    let mut resubmitted = done.clone();
    resubmitted.submitted_at = Some(now - TimeDelta::minutes(30));
    assert_eq!(
        rule(judged(Some(&done), &resubmitted, "rep.li", now)),
        "daily_log.submitted_once"
    );
    let mut blank = draft();
    blank.entries[0].customer_id = None;
    let mut blank_submitted = blank.clone();
    blank_submitted.submitted_at = Some(now);
    assert_eq!(
        rule(judged(Some(&blank), &blank_submitted, "rep.li", now)),
        "daily_log.entry_names_customer"
    );
}

#[test]
fn a_late_log_is_accepted_and_a_log_of_tomorrow_is_not_seed_003() {
    let late = sh(2026, 11, 23, 23, 30);
    assert_eq!(
        judged(Some(&draft()), &submitted(late), "rep.li", late),
        Ok(())
    );
    assert!(dl::is_late(
        &submitted(late),
        &WorkCalendar::china_default()
    ));
    let early = sh(2026, 11, 22, 20, 0);
    assert_eq!(
        rule(judged(Some(&draft()), &submitted(early), "rep.li", early)),
        "daily_log.not_before_day"
    );
}

#[test]
fn only_the_rep_s_supervisor_acknowledges_a_submitted_log_once() {
    let now = sh(2026, 11, 23, 21, 30);
    let done = submitted(sh(2026, 11, 23, 20, 0));
    let ack = |log: &DailyLog, who: &str| {
        let mut l = log.clone();
        l.acknowledged = Some(Acknowledgement {
            by: user(who),
            at: now,
            comment: "收到".into(),
        });
        l
    };
    assert_eq!(
        judged(Some(&done), &ack(&done, "sup.zhao"), "sup.zhao", now),
        Ok(())
    );
    for who in ["sup.qian", "rep.li"] {
        assert_eq!(
            rule(judged(Some(&done), &ack(&done, who), who, now)),
            "daily_log.ack_by_supervisor",
            "{who}"
        );
    }
    assert_eq!(
        rule(judged(
            Some(&draft()),
            &ack(&draft(), "sup.zhao"),
            "sup.zhao",
            now
        )),
        "daily_log.ack_only_submitted"
    );
    let acked = ack(&done, "sup.zhao");
    let mut withdrawn = acked.clone();
    withdrawn.acknowledged = None;
    assert_eq!(
        rule(judged(Some(&acked), &withdrawn, "sup.zhao", now)),
        "daily_log.ack_once"
    );
}
