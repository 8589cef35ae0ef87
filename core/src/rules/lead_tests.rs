#![allow(clippy::unwrap_used)]

use super::*;
use crate::model::{PipelineStage, Prospect};
use crate::rules::test_support::{act, sh};

fn lead(source: LeadSource) -> LeadReferral {
    LeadReferral {
        source,
        prospect: Prospect {
            name: "张伟".into(),
            phone: "138 0013 8000".into(),
            ..Prospect::default()
        },
        registered_at: Some(sh(2026, 11, 23, 9, 0)),
        ..LeadReferral::default()
    }
}

fn note() -> FollowUpNote {
    FollowUpNote {
        said: "介绍新品".into(),
        next_step: "下周报价".into(),
        ..FollowUpNote::default()
    }
}

#[test]
fn referral_names_the_referrer_seed_002() {
    let mut l = lead(LeadSource::Referral);
    assert!(
        check_new_lead(&mut l)
            .unwrap_err()
            .to_string()
            .contains("介绍人")
    );
    l.referrer_name = "王总".into();
    check_new_lead(&mut l).unwrap();
    assert_eq!(l.prospect.phone, "+8613800138000");
    assert_eq!(l.prospect_key, "tel:+8613800138000");
}

#[test]
fn prospect_must_be_identifiable_seed_003() {
    let mut l = lead(LeadSource::Web);
    l.prospect.phone = String::new();
    assert!(check_new_lead(&mut l).is_err());
    l.prospect.company = "华东机械有限公司".into();
    check_new_lead(&mut l).unwrap();
    assert_eq!(l.prospect_key, "org:华东机械|张伟");
    l.prospect.phone = "12".into();
    assert!(
        check_new_lead(&mut l)
            .unwrap_err()
            .to_string()
            .contains("not a valid phone number")
    );
}

#[test]
fn identifying_code_is_unique_per_record_and_readable_seed_002() {
    let a = code_for(RecordId::from_random_bytes([1; 16]));
    let b = code_for(RecordId::from_random_bytes([2; 16]));
    assert_ne!(a, b);
    assert!(a.starts_with("XS-") && a.len() == 3 + 26 + 5, "{a}");
    assert!(!a[3..].contains(['I', 'L', 'O', 'U']));
}

#[test]
fn grade_sets_follow_up_cadence_seed_003() {
    let cal = WorkCalendar::china_default();
    let mut l = lead(LeadSource::Web);
    let due = |l: &LeadReferral| next_follow_up_due(l, &cal);
    l.grade = LeadGrade::H;
    assert_eq!(
        due(&l).map(|t| cal.local_date(t)),
        Some(cal.local_date(sh(2026, 11, 23, 9, 0))),
        "H: same day"
    );
    l.grade = LeadGrade::A;
    assert_eq!(due(&l), Some(sh(2026, 11, 30, 9, 0)));
    l.grade = LeadGrade::B;
    assert_eq!(due(&l), Some(sh(2026, 12, 7, 9, 0)));
    l.grade = LeadGrade::C;
    assert_eq!(due(&l), Some(sh(2026, 12, 23, 9, 0)));
    l.grade = LeadGrade::D;
    assert_eq!(due(&l), None, "D: no intent, no cadence");
    l.grade = LeadGrade::A;
    log_follow_up(&mut l, &note(), &act(sh(2026, 11, 25, 15, 0))).unwrap();
    assert_eq!(
        due(&l),
        Some(sh(2026, 12, 2, 15, 0)),
        "the clock restarts at the follow-up"
    );
}

#[test]
fn every_follow_up_is_logged_with_what_was_said_and_next_step_seed_003() {
    let mut l = lead(LeadSource::Web);
    let mut n = note();
    n.next_step = String::new();
    assert!(log_follow_up(&mut l, &n, &act(sh(2026, 11, 23, 10, 0))).is_err());
    assert!(l.follow_ups.is_empty());
    n = FollowUpNote {
        obstacles: "预算未批".into(),
        ..note()
    };
    log_follow_up(&mut l, &n, &act(sh(2026, 11, 23, 10, 0))).unwrap();
    assert_eq!(l.follow_ups[0].obstacles, "预算未批");
}

#[test]
fn lost_is_requested_after_two_days_of_follow_ups_and_confirmed_by_another_seed_003() {
    let cal = WorkCalendar::china_default();
    let mut l = lead(LeadSource::Web);
    let a = act(sh(2026, 11, 24, 10, 0));
    assert!(
        request_lost(&mut l, "价格", &a, &cal).is_err(),
        "never followed up"
    );
    log_follow_up(&mut l, &note(), &a).unwrap();
    log_follow_up(&mut l, &note(), &act(sh(2026, 11, 24, 16, 0))).unwrap();
    let same_day = request_lost(&mut l, "价格", &a, &cal).unwrap_err();
    assert!(same_day.to_string().contains("两个不同日期"), "{same_day}");
    let next_day = act(sh(2026, 11, 25, 9, 0));
    log_follow_up(&mut l, &note(), &next_day).unwrap();
    assert!(
        request_lost(&mut l, " ", &next_day, &cal)
            .unwrap_err()
            .to_string()
            .contains("战败原因")
    );
    request_lost(&mut l, "选择了竞品", &next_day, &cal).unwrap();
    assert_eq!(
        l.status,
        LeadStatus::Open,
        "open until the supervisor confirms"
    );
    assert!(
        confirm_lost(&mut l, &next_day).is_err(),
        "not by the requester"
    );
    let sup = next_day
        .clone()
        .by(crate::rules::test_support::user("sup.zhao"));
    confirm_lost(&mut l, &sup).unwrap();
    assert_eq!(
        (l.status.clone(), l.lost_reason.as_str()),
        (LeadStatus::Lost, "选择了竞品")
    );
    assert!(log_follow_up(&mut l, &note(), &a).is_err());
}

#[test]
fn the_stage_moves_one_step_with_a_follow_up_seed_003() {
    let mut l = lead(LeadSource::Web);
    let a = act(sh(2026, 11, 24, 10, 0));
    advance_stage(&mut l, &note(), &a).unwrap();
    assert_eq!(l.stage, PipelineStage::Needs);
    assert_eq!(l.stage_changes[0].follow_up_id, l.follow_ups[0].id);
    for _ in 0..3 {
        advance_stage(&mut l, &note(), &a).unwrap();
    }
    assert_eq!(l.stage, PipelineStage::Contract);
    assert!(
        advance_stage(&mut l, &note(), &a).is_err(),
        "no stage after contract"
    );
}

#[test]
fn trade_show_leads_answered_within_one_week_at_most_two_seed_002() {
    let mut l = lead(LeadSource::TradeShow);
    assert!(
        check_new_lead(&mut l).is_err(),
        "a trade-show lead names its event"
    );
    assert_eq!(
        trade_show_response_due(&l),
        Some((sh(2026, 11, 30, 9, 0), sh(2026, 12, 7, 9, 0)))
    );
    log_follow_up(&mut l, &note(), &act(sh(2026, 11, 24, 9, 0))).unwrap();
    assert_eq!(trade_show_response_due(&l), None);
}

#[test]
fn lead_tracked_until_invoiced_seed_002() {
    let mut l = lead(LeadSource::Web);
    let a = act(sh(2026, 11, 24, 10, 0));
    assert!(mark_invoiced(&mut l, 100, &a).is_err(), "not won yet");
    let customer = RecordId::from_random_bytes([5; 16]);
    assert!(
        mark_won(&mut l, customer, 0, &a).is_err(),
        "a won deal has an amount"
    );
    mark_won(&mut l, customer, 1_280_000, &a).unwrap();
    assert!(mark_invoiced(&mut l, -5, &a).is_err());
    mark_invoiced(&mut l, 1_200_000, &a).unwrap();
    assert_eq!(l.invoiced_at, Some(a.at));
    assert_eq!(l.status, LeadStatus::Invoiced);
    assert_eq!(
        (l.won_amount_fen, l.invoiced_amount_fen),
        (Some(1_280_000), Some(1_200_000))
    );
    assert_eq!(next_follow_up_due(&l, &WorkCalendar::china_default()), None);
}
