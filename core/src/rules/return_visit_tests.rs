#![allow(clippy::unwrap_used)]

use chrono::{NaiveDate, TimeDelta};

use super::*;
use crate::model::{CarriedMaterial, VisitExpense};
use crate::rules::test_support::{act, sh, user};

fn visited(y: i32, m: u32, d: u32) -> ReturnVisitReport {
    ReturnVisitReport {
        rep: user("rep.li"),
        visited_on: NaiveDate::from_ymd_opt(y, m, d),
        ..ReturnVisitReport::default()
    }
}

#[test]
fn report_due_by_the_end_of_the_next_calendar_day_seed_001() {
    let cal = WorkCalendar::china_default();
    // Tuesday visit: due Wednesday 23:59:59 Shanghai.
    assert_eq!(
        report_due_at(&visited(2026, 11, 24), &cal),
        Some(sh(2026, 11, 25, 23, 59) + TimeDelta::seconds(59))
    );
    // 回访第二天: a Friday visit is due Saturday, and the eve of a holiday week the next day.
    assert_eq!(
        report_due_at(&visited(2026, 11, 27), &cal).map(|t| cal.local_date(t)),
        NaiveDate::from_ymd_opt(2026, 11, 28)
    );
    assert_eq!(
        report_due_at(&visited(2026, 9, 30), &cal).map(|t| cal.local_date(t)),
        NaiveDate::from_ymd_opt(2026, 10, 1)
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
fn filing_does_not_wait_for_materials_which_are_recorded_returned_seed_001() {
    let mut r = visited(2026, 11, 24);
    r.materials = vec![
        CarriedMaterial {
            id: "m1".into(),
            item: "产品手册".into(),
            ..CarriedMaterial::default()
        },
        CarriedMaterial {
            id: "m2".into(),
            item: "样品".into(),
            ..CarriedMaterial::default()
        },
    ];
    file(&mut r, &act(sh(2026, 11, 25, 9, 0))).unwrap();
    return_material(&mut r, "m1", "", &act(sh(2026, 11, 26, 9, 0))).unwrap();
    return_material(&mut r, "m2", "客户留用样品", &act(sh(2026, 11, 26, 9, 0))).unwrap();
    assert_eq!(r.materials[0].returned_at, Some(sh(2026, 11, 26, 9, 0)));
    assert_eq!(r.materials[1].not_returned_reason, "客户留用样品");
    assert!(return_material(&mut r, "m1", "", &act(sh(2026, 11, 27, 9, 0))).is_err());
    assert!(return_material(&mut r, "m9", "", &act(sh(2026, 11, 27, 9, 0))).is_err());
}

#[test]
fn expenses_reimbursed_after_the_supervisor_signs_seed_001() {
    let mut r = visited(2026, 11, 24);
    r.expense = Some(VisitExpense {
        amount_fen: 12_000,
        description: "交通".into(),
        ..Default::default()
    });
    assert!(
        sign_expense(&mut r, &act(sh(2026, 11, 25, 9, 0))).is_err(),
        "own expense"
    );
    let boss = act(sh(2026, 11, 25, 9, 0)).by(user("sup.chen"));
    sign_expense(&mut r, &boss).unwrap();
    assert_eq!(
        r.expense.as_ref().and_then(|e| e.signed_by.clone()),
        Some(user("sup.chen"))
    );
    assert!(sign_expense(&mut r, &boss).is_err(), "signed once");
}
