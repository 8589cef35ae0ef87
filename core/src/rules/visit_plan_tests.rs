#![allow(clippy::unwrap_used)]

use super::*;
use crate::rules::test_support::{act, sh};

fn complete() -> VisitPlan {
    VisitPlan {
        customer_id: Some(crate::ids::RecordId::from_random_bytes([4; 16])),
        purpose: "介绍新品".into(),
        place: "客户工厂".into(),
        scheduled_at: Some(sh(2026, 12, 7, 10, 0)),
        ..VisitPlan::default()
    }
}

fn invited() -> VisitPlan {
    let mut p = complete();
    invite(
        &mut p,
        InvitationMethod::Phone,
        &act(sh(2026, 11, 23, 9, 0)),
    )
    .unwrap();
    p
}

#[test]
fn invitation_records_its_method_seed_000() {
    let p = invited();
    assert_eq!(p.status, VisitStatus::Invited);
    assert_eq!(p.invitation_method, Some(InvitationMethod::Phone));
    assert_eq!(p.history.len(), 1);
    assert_eq!(p.history[0].to, "invited");
}

#[test]
fn accepted_invitation_requires_attendees_seed_000() {
    let mut p = invited();
    assert!(accept(&mut p, 0, &act(sh(2026, 11, 23, 10, 0))).is_err());
    accept(&mut p, 3, &act(sh(2026, 11, 23, 10, 0))).unwrap();
    assert_eq!(p.attendees, Some(3));
}

#[test]
fn declined_invitation_requires_a_reason_seed_000() {
    let mut p = invited();
    let err = decline(&mut p, "  ", &act(sh(2026, 11, 23, 10, 0)))
        .unwrap_err()
        .to_string();
    assert!(err.contains("拒绝原因") && err.contains("reason"), "{err}");
    assert_eq!(p.status, VisitStatus::Invited);
    decline(&mut p, "预算冻结", &act(sh(2026, 11, 23, 10, 0))).unwrap();
    assert_eq!(p.decline_reason, "预算冻结");
}

#[test]
fn only_an_invited_plan_can_be_answered_seed_000() {
    let mut p = VisitPlan::default();
    assert!(accept(&mut p, 2, &act(sh(2026, 11, 23, 10, 0))).is_err());
}

#[test]
fn reschedule_requires_customer_consent_and_is_kept_seed_002() {
    let mut p = invited();
    let mut req = RescheduleRequest {
        to: sh(2026, 12, 9, 14, 0),
        consent_by: String::new(),
        consent_at: sh(2026, 11, 24, 9, 0),
        reason: "客户出差".into(),
    };
    assert!(reschedule(&mut p, &req, &act(sh(2026, 11, 24, 9, 5))).is_err());
    req.consent_by = "王经理（电话）".into();
    reschedule(&mut p, &req, &act(sh(2026, 11, 24, 9, 5))).unwrap();
    req.to = sh(2026, 12, 10, 14, 0);
    reschedule(&mut p, &req, &act(sh(2026, 11, 25, 9, 5))).unwrap();
    assert_eq!(p.reschedules.len(), 2);
    assert_eq!(p.reschedules[1].from, Some(sh(2026, 12, 9, 14, 0)));
    assert_eq!(p.scheduled_at, Some(sh(2026, 12, 10, 14, 0)));
}

#[test]
fn confirmation_five_working_days_ahead_with_the_hour_fixed_seed_002() {
    let cal = WorkCalendar::china_default();
    let mut p = invited(); // Mon 2026-12-07 10:00; 5 working days before = Mon 2026-11-30.
    p.needs_confirmation = true;
    assert_eq!(
        first_confirmation_due_on(&p, &cal),
        chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
    );
    let late = confirm(
        &mut p,
        ConfirmationKind::FiveWorkingDays,
        &act(sh(2026, 12, 1, 9, 0)),
        &cal,
    );
    assert!(late.is_err());
    confirm(
        &mut p,
        ConfirmationKind::FiveWorkingDays,
        &act(sh(2026, 11, 30, 17, 0)),
        &cal,
    )
    .unwrap();
    assert!(is_confirmed(&p, &ConfirmationKind::FiveWorkingDays));
    let mut date_only = invited();
    date_only.scheduled_at = Some(sh(2026, 12, 7, 0, 0));
    assert!(
        confirm(
            &mut date_only,
            ConfirmationKind::FiveWorkingDays,
            &act(sh(2026, 11, 23, 9, 0)),
            &cal
        )
        .is_err()
    );
}

#[test]
fn confirmation_again_one_hour_before_seed_002() {
    let cal = WorkCalendar::china_default();
    let mut p = invited();
    let early = confirm(
        &mut p,
        ConfirmationKind::OneHour,
        &act(sh(2026, 12, 7, 7, 30)),
        &cal,
    );
    assert!(early.is_err());
    confirm(
        &mut p,
        ConfirmationKind::OneHour,
        &act(sh(2026, 12, 7, 9, 0)),
        &cal,
    )
    .unwrap();
    assert!(is_confirmed(&p, &ConfirmationKind::OneHour));
}

#[test]
fn reschedule_voids_earlier_confirmations_seed_002() {
    let cal = WorkCalendar::china_default();
    let mut p = invited();
    confirm(
        &mut p,
        ConfirmationKind::FiveWorkingDays,
        &act(sh(2026, 11, 23, 9, 0)),
        &cal,
    )
    .unwrap();
    let req = RescheduleRequest {
        to: sh(2026, 12, 14, 10, 0),
        consent_by: "王经理".into(),
        consent_at: sh(2026, 11, 24, 9, 0),
        reason: "客户出差".into(),
    };
    reschedule(&mut p, &req, &act(sh(2026, 11, 24, 9, 0))).unwrap();
    assert!(!is_confirmed(&p, &ConfirmationKind::FiveWorkingDays));
}

#[test]
fn attended_or_no_show_only_after_acceptance_and_on_the_day_seed_000() {
    let cal = WorkCalendar::china_default();
    let mut p = invited();
    assert!(mark_attended(&mut p, &act(sh(2026, 12, 7, 10, 0)), &cal).is_err());
    accept(&mut p, 2, &act(sh(2026, 11, 23, 10, 0))).unwrap();
    assert!(mark_attended(&mut p, &act(sh(2026, 12, 6, 10, 0)), &cal).is_err());
    mark_attended(&mut p, &act(sh(2026, 12, 7, 10, 0)), &cal).unwrap();
    assert_eq!(p.status, VisitStatus::Attended);
    assert_eq!(
        p.history.iter().map(|h| h.to.as_str()).collect::<Vec<_>>(),
        ["invited", "accepted", "attended"]
    );
}

#[test]
fn plan_names_customer_purpose_time_and_place_seed_001() {
    let mut p = VisitPlan {
        scheduled_at: Some(sh(2026, 12, 7, 10, 0)),
        ..VisitPlan::default()
    };
    assert!(check_plan(&p).is_err());
    let a = act(sh(2026, 11, 23, 9, 0));
    assert!(invite(&mut p, InvitationMethod::Phone, &a).is_err());
    assert_eq!(
        p.status,
        VisitStatus::Planned,
        "an incomplete plan is not invited"
    );
    p.customer_id = Some(crate::ids::RecordId::from_random_bytes([4; 16]));
    p.purpose = "介绍新品".into();
    assert!(check_plan(&p).unwrap_err().to_string().contains("place"));
    p.place = "客户工厂".into();
    check_plan(&p).unwrap();
    invite(&mut p, InvitationMethod::Phone, &a).unwrap();
}

#[test]
fn arrive_five_to_ten_minutes_early_seed_002() {
    assert_eq!(
        arrival_window(&invited()),
        Some((sh(2026, 12, 7, 9, 50), sh(2026, 12, 7, 9, 55)))
    );
}
