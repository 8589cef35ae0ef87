#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;

use super::*;
use crate::rules::test_support::{act, sh, user};

fn visited(y: i32, m: u32, d: u32) -> ReturnVisitReport {
    ReturnVisitReport {
        rep: user("rep.li"),
        visited_on: NaiveDate::from_ymd_opt(y, m, d),
        ..ReturnVisitReport::default()
    }
}

#[test]
fn report_due_by_the_end_of_the_next_working_day_seed_001() {
    let cal = WorkCalendar::china_default();
    // Tuesday visit: due Wednesday 23:59:59 Shanghai.
    assert_eq!(
        report_due_at(&visited(2026, 11, 24), &cal),
        Some(sh(2026, 11, 25, 23, 59) + TimeDelta::seconds(59))
    );
    // Friday visit: due Monday. Wednesday 2026-09-30 visit: due Thursday 2026-10-08 (holiday week).
    assert_eq!(
        report_due_at(&visited(2026, 11, 27), &cal).map(|t| cal.local_date(t)),
        NaiveDate::from_ymd_opt(2026, 11, 30)
    );
    assert_eq!(
        report_due_at(&visited(2026, 9, 30), &cal).map(|t| cal.local_date(t)),
        NaiveDate::from_ymd_opt(2026, 10, 8)
    );
    assert!(report_is_late(
        &visited(2026, 11, 24),
        sh(2026, 11, 26, 0, 1),
        &cal
    ));
    assert!(!report_is_late(
        &visited(2026, 11, 24),
        sh(2026, 11, 25, 21, 0),
        &cal
    ));
}

#[test]
fn supervisor_reviews_with_guidance_seed_001() {
    let mut r = visited(2026, 11, 24);
    let boss = act(sh(2026, 11, 26, 9, 0)).by(user("sup.chen"));
    assert!(review(&mut r, "跟进报价", &boss).is_err(), "not filed yet");
    file(&mut r, &act(sh(2026, 11, 25, 18, 0))).unwrap();
    assert!(
        review(&mut r, "跟进报价", &act(sh(2026, 11, 26, 9, 0))).is_err(),
        "own report"
    );
    assert!(review(&mut r, " ", &boss).is_err(), "no guidance");
    review(&mut r, "跟进报价", &boss).unwrap();
    assert_eq!(r.review.map(|v| v.guidance), Some("跟进报价".into()));
}

#[test]
fn satisfaction_scores_product_service_environment_seed_001() {
    let mut r = visited(2026, 11, 24);
    r.satisfaction = Some(Satisfaction {
        product: 5,
        service: 0,
        environment: 4,
    });
    let err = file(&mut r, &act(sh(2026, 11, 25, 9, 0)))
        .unwrap_err()
        .to_string();
    assert!(err.contains("satisfaction.service"), "{err}");
    assert!(r.filed_at.is_none());
    r.satisfaction = Some(Satisfaction {
        product: 5,
        service: 3,
        environment: 4,
    });
    file(&mut r, &act(sh(2026, 11, 25, 9, 0))).unwrap();
}

#[test]
fn proposals_answered_within_fifteen_days_thirty_if_complex_seed_001() {
    let mut r = visited(2026, 11, 24);
    add_proposal(&mut r, "增加夜间送货", false, &act(sh(2026, 11, 24, 10, 0))).unwrap();
    let (target, limit) = proposal_deadlines(&r.proposals[0]);
    assert_eq!(
        (target, limit),
        (sh(2026, 12, 4, 10, 0), sh(2026, 12, 9, 10, 0))
    );
    r.proposals[0].complex = true;
    assert_eq!(
        proposal_deadlines(&r.proposals[0]).1,
        sh(2026, 12, 24, 10, 0)
    );
}

#[test]
fn proposal_outcome_is_accepted_kept_or_rejected_seed_001() {
    let mut r = visited(2026, 11, 24);
    let a = act(sh(2026, 11, 24, 10, 0));
    add_proposal(&mut r, "增加夜间送货", false, &a).unwrap();
    let id = r.proposals[0].id.clone();
    assert!(answer_proposal(&mut r, &id, ProposalOutcome::Pending, "x", &a).is_err());
    assert!(answer_proposal(&mut r, &id, ProposalOutcome::Kept, "", &a).is_err());
    answer_proposal(&mut r, &id, ProposalOutcome::Kept, "明年评估", &a).unwrap();
    assert!(
        answer_proposal(&mut r, &id, ProposalOutcome::Rejected, "no", &a).is_err(),
        "answered once"
    );
}
