#![allow(clippy::unwrap_used)]

use super::*;
use crate::rules::test_support::{sh, user};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn customer(n: u8) -> RecordId {
    RecordId::from_random_bytes([n; 16])
}

fn attended(n: u8, rep: &str, c: u8, at: DateTime<Utc>) -> VisitPlan {
    let mut p = VisitPlan {
        rep: user(rep),
        customer_id: Some(customer(c)),
        scheduled_at: Some(at),
        attended_at: Some(at),
        status: VisitStatus::Attended,
        ..VisitPlan::default()
    };
    p.meta.id = RecordId::from_random_bytes([100 + n; 16]);
    p
}

fn entry(id: &str, c: u8) -> LogEntry {
    LogEntry {
        id: id.into(),
        customer_id: Some(customer(c)),
        in_depth: true,
        ..LogEntry::default()
    }
}

fn log(rep: &str, d: NaiveDate, entries: Vec<LogEntry>, at: Option<DateTime<Utc>>) -> DailyLog {
    DailyLog {
        entries,
        submitted_at: at,
        ..DailyLog::new(&user(rep), d)
    }
}

#[test]
fn only_real_in_depth_visits_score_and_unbacked_ones_are_listed_seed_003() {
    let cal = WorkCalendar::china_default();
    let d = date(2026, 11, 23);
    let plans = vec![
        attended(1, "rep.li", 1, sh(2026, 11, 23, 10, 0)),
        // Another rep's visit to customer 2 does not back rep.li's claim.
        attended(2, "rep.wang", 2, sh(2026, 11, 23, 11, 0)),
        // Nor does rep.li's visit to customer 3 on another day.
        attended(3, "rep.li", 3, sh(2026, 11, 24, 10, 0)),
    ];
    let mut report = ReturnVisitReport {
        rep: user("rep.li"),
        customer_id: Some(customer(4)),
        visited_on: Some(d),
        filed_at: Some(sh(2026, 11, 23, 19, 0)),
        ..ReturnVisitReport::default()
    };
    let mut unfiled = report.clone();
    unfiled.customer_id = Some(customer(5));
    unfiled.filed_at = None;
    report.meta.id = customer(40);
    let mut casual = entry("e6", 6);
    casual.in_depth = false;
    let entries = vec![
        entry("e1", 1),
        entry("e1b", 1),
        entry("e2", 2),
        entry("e3", 3),
        entry("e4", 4),
        entry("e5", 5),
        casual,
    ];
    let logs = vec![
        log("rep.li", d, entries.clone(), Some(sh(2026, 11, 23, 20, 0))),
        // A draft earns nothing, even when backed.
        log("rep.li", date(2026, 11, 24), vec![entry("d3", 3)], None),
    ];
    let recs = TallyRecords {
        logs: &logs,
        plans: &plans,
        reports: &[report, unfiled],
    };
    let all = monthly_tally(d, &[user("rep.li")], &recs, sh(2026, 11, 25, 9, 0), &cal);
    let t = &all[&user("rep.li")];
    assert_eq!(
        t.points, 2,
        "customer 1 (once) by the plan, customer 4 by the filed report"
    );
    let unbacked: Vec<&str> = t.unbacked.iter().map(|u| u.entry_id.as_str()).collect();
    assert_eq!(unbacked, ["e2", "e3", "e5"]);
    assert_eq!((t.logs_submitted, t.required, t.short_by), (1, 30, 28));
    assert!(
        !t.month_closed && !t.cleaning_duty,
        "the month is still open"
    );
}

#[test]
fn late_logs_missing_days_and_the_cleaning_duty_once_the_month_is_over_seed_003() {
    let cal = WorkCalendar::china_default();
    // November 2026: 21 working days; rep.li logs 27 real in-depth visits on 27 days.
    let mut plans = Vec::new();
    let mut logs = Vec::new();
    for (n, day) in (1..=27u32).enumerate() {
        let d = date(2026, 11, day);
        let visit = cal.start_of_day(d) + chrono::TimeDelta::hours(10);
        plans.push(attended(n as u8, "rep.li", n as u8, visit));
        let at = if day == 5 {
            sh(2026, 11, 5, 22, 0)
        } else {
            cal.at_local(d, DAILY_REPORT_DUE)
        };
        logs.push(log(
            "rep.li",
            d,
            vec![entry(&format!("e{day}"), n as u8)],
            Some(at),
        ));
    }
    let recs = TallyRecords {
        logs: &logs,
        plans: &plans,
        reports: &[],
    };
    let rep = user("rep.li");
    let all = monthly_tally(
        date(2026, 11, 15),
        &[],
        &recs,
        sh(2026, 11, 30, 20, 0),
        &cal,
    );
    let during = &all[&rep];
    assert_eq!(during.month, date(2026, 11, 1));
    assert_eq!(
        (during.points, during.logs_submitted, during.late_logs),
        (27, 27, 1)
    );
    assert!(
        during.days_without_log.is_empty(),
        "the 30th is not due before 21:00"
    );
    assert!(!during.cleaning_duty, "3 short, but the month is not over");
    let all = monthly_tally(date(2026, 11, 1), &[], &recs, sh(2026, 12, 1, 0, 0), &cal);
    let after = &all[&rep];
    assert_eq!(
        after.days_without_log,
        [date(2026, 11, 30)],
        "Monday the 30th, after 21:00"
    );
    assert_eq!(after.short_by, 3);
    assert!(
        after.month_closed && after.cleaning_duty,
        "少三分以上: 3 short is one cleaning duty"
    );
}
