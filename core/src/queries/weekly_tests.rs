#![allow(clippy::unwrap_used)]

use super::*;
use crate::rules::test_support::{sh, user};

fn attended(
    id: u8,
    rep: &str,
    at: DateTime<Utc>,
    in_depth: bool,
    customer: Option<RecordId>,
) -> VisitPlan {
    let mut p = VisitPlan {
        rep: user(rep),
        scheduled_at: Some(at),
        attended_at: Some(at),
        in_depth,
        status: VisitStatus::Attended,
        customer_id: customer,
        ..VisitPlan::default()
    };
    p.meta.id = RecordId::from_random_bytes([id; 16]);
    p
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn daily_report_due_at_21_with_one_in_depth_visit_seed_003() {
    let cal = WorkCalendar::china_default();
    let rep = user("rep.li");
    let mut open = attended(2, "rep.li", sh(2026, 11, 23, 15, 0), false, None);
    open.status = VisitStatus::Accepted;
    let plans = vec![
        attended(1, "rep.li", sh(2026, 11, 23, 10, 0), false, None),
        open,
    ];
    let r = daily_report(
        &rep,
        date(2026, 11, 23),
        &plans,
        sh(2026, 11, 23, 20, 0),
        &cal,
    );
    assert_eq!(r.due_at, sh(2026, 11, 23, 21, 0));
    assert!(!r.minimum_met, "no in-depth visit");
    assert!(!r.overdue);
    let late = daily_report(
        &rep,
        date(2026, 11, 23),
        &plans,
        sh(2026, 11, 23, 21, 1),
        &cal,
    );
    assert!(late.overdue && late.unlogged.len() == 1);
    let deep = vec![attended(3, "rep.li", sh(2026, 11, 23, 10, 0), true, None)];
    assert!(
        daily_report(
            &rep,
            date(2026, 11, 23),
            &deep,
            sh(2026, 11, 23, 22, 0),
            &cal
        )
        .minimum_met
    );
    assert!(
        daily_report(&rep, date(2026, 11, 22), &[], sh(2026, 11, 22, 22, 0), &cal).minimum_met,
        "Sunday"
    );
}

#[test]
fn visits_and_ab_customers_per_rep_per_week_seed_004() {
    let cal = WorkCalendar::china_default();
    let mut a = Customer {
        grade: CustomerGrade::A,
        ..Customer::default()
    };
    a.meta.id = RecordId::from_random_bytes([10; 16]);
    let mut c = Customer {
        grade: CustomerGrade::C,
        ..Customer::default()
    };
    c.meta.id = RecordId::from_random_bytes([11; 16]);
    let plans = vec![
        attended(1, "rep.li", sh(2026, 11, 23, 10, 0), true, Some(a.meta.id)),
        attended(2, "rep.li", sh(2026, 11, 25, 10, 0), false, Some(a.meta.id)),
        attended(3, "rep.li", sh(2026, 11, 26, 10, 0), false, Some(c.meta.id)),
        attended(4, "rep.li", sh(2026, 11, 30, 0, 30), false, Some(c.meta.id)), // next week in Shanghai
        attended(
            5,
            "rep.wang",
            sh(2026, 11, 24, 10, 0),
            false,
            Some(c.meta.id),
        ),
    ];
    let report = ReturnVisitReport {
        rep: user("rep.wang"),
        visited_on: Some(date(2026, 11, 27)),
        customer_id: Some(a.meta.id),
        ..ReturnVisitReport::default()
    };
    let week = weekly_summary(date(2026, 11, 23), &plans, &[report], &[a, c], &cal);
    assert_eq!(
        week[&user("rep.li")],
        WeekSummary {
            visits: 3,
            ab_customers: 1
        }
    );
    assert_eq!(
        week[&user("rep.wang")],
        WeekSummary {
            visits: 2,
            ab_customers: 1
        }
    );
}
