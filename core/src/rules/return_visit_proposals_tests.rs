#![allow(clippy::unwrap_used)]

use super::*;
use crate::rules::test_support::{act, sh, user};

fn with_proposal(department: Option<Department>) -> ReturnVisitReport {
    let mut r = ReturnVisitReport {
        rep: user("rep.li"),
        ..ReturnVisitReport::default()
    };
    let new = NewProposal {
        text: "增加夜间送货".into(),
        complex: false,
        channel: ProposalChannel::Phone,
        department,
    };
    add_proposal(&mut r, new, &act(sh(2026, 11, 24, 10, 0))).unwrap();
    r
}

#[test]
fn proposals_answered_in_15_days_20_extended_30_if_complex_seed_001() {
    let mut r = with_proposal(None);
    let (target, limit) = proposal_deadlines(&r.proposals[0]);
    assert_eq!(
        (target, limit),
        (sh(2026, 12, 4, 10, 0), sh(2026, 12, 9, 10, 0))
    );
    let id = r.proposals[0].id.clone();
    let late = act(sh(2026, 12, 10, 9, 0)).by(user("cs.zhou"));
    assert!(
        extend_proposal(&mut r, &id, "副总裁 2026-12-10 批准", &late).is_err(),
        "after 15 days"
    );
    let on_time = act(sh(2026, 12, 8, 9, 0)).by(user("cs.zhou"));
    assert!(
        extend_proposal(&mut r, &id, " ", &on_time).is_err(),
        "no approval"
    );
    extend_proposal(&mut r, &id, "副总裁 2026-12-08 批准", &on_time).unwrap();
    assert_eq!(
        proposal_deadlines(&r.proposals[0]).1,
        sh(2026, 12, 14, 10, 0)
    );
    r.proposals[0].complex = true;
    assert_eq!(
        proposal_deadlines(&r.proposals[0]).1,
        sh(2026, 12, 24, 10, 0)
    );
}

#[test]
fn proposals_taken_by_channel_and_routed_to_a_department_seed_001() {
    let r = with_proposal(Some(Department::Finance));
    let p = &r.proposals[0];
    assert_eq!(p.channel, ProposalChannel::Phone);
    assert_eq!(p.department, Some(Department::Finance));
    assert_eq!(p.routed_by, Some(user("rep.li")));
    let mut r = with_proposal(None);
    let id = r.proposals[0].id.clone();
    let a = act(sh(2026, 11, 25, 9, 0)).by(user("cs.zhou"));
    assert!(route_proposal(&mut r, &id, Department::Other("legal".into()), &a).is_err());
    route_proposal(&mut r, &id, Department::Marketing, &a).unwrap();
    assert_eq!(r.proposals[0].routed_at, Some(sh(2026, 11, 25, 9, 0)));
    assert_eq!(
        answering_role(&Department::Marketing),
        Some(Role::MarketingManager)
    );
}

#[test]
fn proposal_outcome_is_accepted_kept_or_rejected_once_routed_seed_001() {
    let mut r = with_proposal(None);
    let a = act(sh(2026, 11, 24, 10, 0)).by(user("cs.zhou"));
    let id = r.proposals[0].id.clone();
    assert!(
        answer_proposal(&mut r, &id, ProposalOutcome::Kept, "明年评估", &a).is_err(),
        "not routed"
    );
    route_proposal(&mut r, &id, Department::CustomerService, &a).unwrap();
    assert!(answer_proposal(&mut r, &id, ProposalOutcome::Pending, "x", &a).is_err());
    assert!(answer_proposal(&mut r, &id, ProposalOutcome::Kept, "", &a).is_err());
    answer_proposal(&mut r, &id, ProposalOutcome::Kept, "明年评估", &a).unwrap();
    assert!(
        answer_proposal(&mut r, &id, ProposalOutcome::Rejected, "no", &a).is_err(),
        "answered once"
    );
    assert!(
        route_proposal(&mut r, &id, Department::Finance, &a).is_err(),
        "answered"
    );
}
