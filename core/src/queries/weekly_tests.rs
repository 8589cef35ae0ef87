#![allow(clippy::unwrap_used)]

use super::*;
use crate::model::{Contact, CustomerGrade, FollowUp, FollowUpChannel, LeadGrade};
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

fn customer(id: u8, grade: CustomerGrade, complete: bool) -> Customer {
    let mut c = Customer {
        name: "华东机电".into(),
        grade,
        industry: "制造".into(),
        region: "上海".into(),
        needs: "ERP 升级".into(),
        contacts: vec![Contact {
            id: "c1".into(),
            name: "张经理".into(),
            title: "信息部".into(),
            mobile: if complete { "13800138000" } else { "" }.into(),
            ..Contact::default()
        }],
        ..Customer::default()
    };
    c.meta.id = RecordId::from_random_bytes([id; 16]);
    c
}

fn lead(
    id: u8,
    owner: &str,
    grade: LeadGrade,
    customer: &Customer,
    at: DateTime<Utc>,
) -> LeadReferral {
    let mut l = LeadReferral {
        grade,
        customer_id: Some(customer.meta.id),
        registered_at: Some(at),
        follow_ups: vec![FollowUp {
            id: "f1".into(),
            at,
            by: user(owner),
            channel: FollowUpChannel::Phone,
            ..FollowUp::default()
        }],
        ..LeadReferral::default()
    };
    l.meta.id = RecordId::from_random_bytes([id; 16]);
    l.meta.owner = user(owner);
    l
}

fn filed(customer: &Customer, rep: &str, at: DateTime<Utc>) -> ReturnVisitReport {
    ReturnVisitReport {
        rep: user(rep),
        customer_id: Some(customer.meta.id),
        visited_on: Some(date(2026, 11, 24)),
        filed_at: Some(at),
        ..ReturnVisitReport::default()
    }
}

#[test]
fn visits_and_ab_customers_per_rep_per_week_seed_004() {
    let cal = WorkCalendar::china_default();
    let a = customer(10, CustomerGrade::A, true);
    let c = customer(11, CustomerGrade::C, true);
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
    let recs = WeekRecords {
        plans: &plans,
        reports: &[report],
        customers: &[a, c],
        leads: &[],
    };
    let week = weekly_summary(date(2026, 11, 23), &recs, &cal);
    let visits = |rep: &str| week[&user(rep)].visits;
    assert_eq!((visits("rep.li"), visits("rep.wang")), (3, 2));
    assert_eq!(
        week[&user("rep.li")].ab_customers,
        0,
        "an A *value* grade is not an A/B intent customer (seed 004)"
    );
}

#[test]
fn ab_intent_customers_are_visited_filed_complete_and_signed_seed_004() {
    let cal = WorkCalendar::china_default();
    let mon = sh(2026, 11, 23, 10, 0);
    // B intent, C value, complete, visited and the report filed: counts.
    let good = customer(20, CustomerGrade::C, true);
    // A intent but the file lacks a phone (补白B b).
    let thin = customer(21, CustomerGrade::A, false);
    // A intent, complete, visited, but the report is not filed (补白B c, unsigned).
    let unsigned = customer(22, CustomerGrade::A, true);
    // C intent: complete, visited and signed, but not A/B.
    let cool = customer(23, CustomerGrade::A, true);
    let leads = vec![
        lead(30, "rep.li", LeadGrade::B, &good, mon),
        lead(31, "rep.li", LeadGrade::A, &thin, mon),
        lead(32, "rep.li", LeadGrade::A, &unsigned, mon),
        lead(33, "rep.li", LeadGrade::C, &cool, mon),
    ];
    let plans: Vec<VisitPlan> = [&good, &thin, &unsigned, &cool]
        .iter()
        .enumerate()
        .map(|(i, c)| attended(40 + i as u8, "rep.li", mon, false, Some(c.meta.id)))
        .collect();
    let thu = sh(2026, 11, 26, 18, 0);
    let mut not_filed = filed(&unsigned, "rep.li", thu);
    not_filed.filed_at = None;
    let reports = [
        filed(&good, "rep.li", thu),
        filed(&thin, "rep.li", thu),
        not_filed,
        filed(&cool, "rep.li", thu),
    ];
    // Each report is the report of its plan: the visit is counted once.
    let reports: Vec<ReturnVisitReport> = reports
        .into_iter()
        .zip(&plans)
        .map(|(r, p)| ReturnVisitReport {
            visit_plan_id: Some(p.meta.id),
            ..r
        })
        .collect();
    let customers = vec![good, thin, unsigned, cool];
    let recs = WeekRecords {
        plans: &plans,
        reports: &reports,
        customers: &customers,
        leads: &leads,
    };
    let week = weekly_summary(date(2026, 11, 23), &recs, &cal);
    assert_eq!(
        week[&user("rep.li")],
        WeekSummary {
            visits: 4,
            calls: 4,
            ab_customers: 1
        }
    );
    let next = weekly_summary(date(2026, 11, 30), &recs, &cal);
    assert!(
        !next.contains_key(&user("rep.li")),
        "not worked next week: {next:?}"
    );
}
