#![allow(clippy::unwrap_used)]

use super::*;
use crate::calendar::WorkCalendar;
use crate::model::InvitationMethod;
use crate::rules::test_support::{act, sh, user};
use crate::rules::visit_plan::{self as steps, RescheduleRequest};

fn ctx<'a>(who: &'a UserId, now: DateTime<Utc>, cal: &'a WorkCalendar) -> Context<'a> {
    Context {
        user: who,
        role: None,
        now,
        floor: None,
        dir: None,
        calendar: cal,
    }
}

fn complete() -> VisitPlan {
    VisitPlan {
        rep: user("rep.li"),
        customer_id: Some(crate::ids::RecordId::from_random_bytes([4; 16])),
        purpose: "介绍新品".into(),
        place: "客户工厂".into(),
        scheduled_at: Some(sh(2026, 11, 23, 11, 0)),
        ..VisitPlan::default()
    }
}

/// A phone offline all morning: invited, confirmed, rescheduled, accepted and attended, arriving
/// at the server as one change (seeds 000, 002 篇6).
#[test]
fn a_whole_invitation_arriving_at_once_is_judged_step_by_step_seed_000_002() {
    let cal = WorkCalendar::china_default();
    let mut p = complete();
    let mut a = act(sh(2026, 11, 23, 9, 30));
    steps::invite(&mut p, InvitationMethod::Phone, &a).unwrap();
    a.entry_id = "c1".into();
    steps::confirm(&mut p, crate::model::ConfirmationKind::OneHour, &a, &cal).unwrap();
    a.entry_id = "r1".into();
    let req = RescheduleRequest {
        to: sh(2026, 11, 23, 11, 30),
        consent_by: "王经理".into(),
        consent_at: sh(2026, 11, 23, 9, 40),
        reason: "开会".into(),
    };
    a.at = sh(2026, 11, 23, 9, 40);
    steps::reschedule(&mut p, &req, &a).unwrap();
    a.entry_id = "a1".into();
    steps::accept(&mut p, 2, &a).unwrap();
    let mut late = act(sh(2026, 11, 23, 11, 35));
    late.entry_id = "t1".into();
    steps::mark_attended(&mut p, &late, &cal).unwrap();
    let li = user("rep.li");
    let now = sh(2026, 11, 23, 12, 0);
    judge(None, &p, &ctx(&li, now, &cal)).unwrap();
    // Another rep cannot send the same steps: they are signed by rep.li…
    let wang = user("rep.wang");
    let mut other = ctx(&wang, now, &cal);
    other.role = Some(crate::access::Role::FieldRep);
    assert_eq!(
        judge(None, &p, &other).unwrap_err().rule,
        "visit_plan.history_by"
    );
    // …nor take them on a plan that is not hers.
    let mut bare = p.clone();
    bare.history.clear();
    bare.status = VisitStatus::Planned;
    bare.outcome_amount_fen = Some(100);
    assert_eq!(
        judge(None, &bare, &other).unwrap_err().rule,
        "visit_plan.who"
    );
    // The same change with the attendance claimed for the future is refused.
    p.attended_at = Some(sh(2026, 11, 23, 13, 0));
    let err = judge(None, &p, &ctx(&li, now, &cal)).unwrap_err();
    assert_eq!(err.rule, "visit_plan.attendance_on_the_day");
}

#[test]
fn a_closed_visit_cannot_be_rescheduled_seed_002() {
    let cal = WorkCalendar::china_default();
    let mut p = complete();
    let a = act(sh(2026, 11, 23, 9, 0));
    steps::invite(&mut p, InvitationMethod::Phone, &a).unwrap();
    let mut d = act(sh(2026, 11, 23, 9, 5));
    d.entry_id = "d1".into();
    steps::decline(&mut p, "预算冻结", &d).unwrap();
    let before = p.clone();
    p.reschedules.push(crate::model::Reschedule {
        id: "r1".into(),
        from: p.scheduled_at,
        to: sh(2026, 11, 24, 10, 0),
        consent_by: "王经理".into(),
        consent_at: sh(2026, 11, 23, 9, 10),
        by: user("rep.li"),
        ..Default::default()
    });
    p.scheduled_at = Some(sh(2026, 11, 24, 10, 0));
    let li = user("rep.li");
    let err = judge(Some(&before), &p, &ctx(&li, sh(2026, 11, 23, 9, 15), &cal)).unwrap_err();
    assert_eq!(err.rule, "visit_plan.reschedule_open");
}
