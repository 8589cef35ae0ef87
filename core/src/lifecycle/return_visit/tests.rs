#![allow(clippy::unwrap_used)]

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::*;
use crate::access::Directory;
use crate::calendar::WorkCalendar;
use crate::ids::UserId;
use crate::model::{Department, Proposal, ProposalOutcome, Satisfaction};
use crate::rules::Action;
use crate::rules::return_visit as rv;
use crate::rules::return_visit_proposals as rp;
use crate::rules::test_support::{sh, user};

fn dir() -> Directory {
    let mut d = Directory::new();
    d.insert(user("rep.li"), Role::FieldRep, Some("east"));
    d.insert(user("sup.zhao"), Role::Supervisor, Some("east"));
    d.insert(user("sup.qian"), Role::Supervisor, Some("west"));
    d.insert(user("cs.zhou"), Role::CustomerServiceManager, None);
    d.insert(user("fin.wu"), Role::FinanceManager, None);
    d
}

/// The server judging `who` at `now`, with the device's previous sync at `floor`.
fn judged(
    before: &ReturnVisitReport,
    after: &ReturnVisitReport,
    who: &str,
    now: DateTime<Utc>,
) -> Verdict {
    let (d, cal, u) = (dir(), WorkCalendar::china_default(), user(who));
    let ctx = Context {
        user: &u,
        role: d.role(&u),
        now,
        floor: Some(now - TimeDelta::hours(1)),
        dir: Some(&d),
        calendar: &cal,
    };
    super::judge(Some(before), after, &ctx)
}

fn act(who: &str, at: DateTime<Utc>) -> Action {
    Action {
        by: user(who),
        at,
        entry_id: format!("e{}", at.timestamp()),
    }
}

fn draft() -> ReturnVisitReport {
    let mut r = ReturnVisitReport {
        rep: user("rep.li"),
        visited_on: NaiveDate::from_ymd_opt(2026, 11, 24),
        ..ReturnVisitReport::default()
    };
    r.meta.owner = user("rep.li");
    r
}

fn filed() -> ReturnVisitReport {
    let mut r = draft();
    rv::file(&mut r, &act("rep.li", sh(2026, 11, 25, 9, 0))).unwrap();
    r
}

fn rule(v: Verdict) -> &'static str {
    v.err().map_or("", |v| v.rule)
}

#[test]
fn filing_time_is_claimed_and_set_once_seed_001() {
    let now = sh(2026, 11, 25, 9, 0);
    assert_eq!(judged(&draft(), &filed(), "rep.li", now), Ok(()));
    let mut back = draft();
    back.filed_at = Some(sh(2026, 11, 24, 20, 0));
    assert_eq!(
        rule(judged(&draft(), &back, "rep.li", now)),
        "return_visit.filed_at_claimed"
    );
    let mut early = draft();
    early.visited_on = NaiveDate::from_ymd_opt(2026, 11, 26);
    let mut early_filed = early.clone();
    early_filed.filed_at = Some(now);
    assert_eq!(
        rule(judged(&early, &early_filed, "rep.li", now)),
        "return_visit.filed_after_visit"
    );
    let mut refiled = filed();
    refiled.filed_at = Some(now + TimeDelta::minutes(1));
    assert_eq!(
        rule(judged(&filed(), &refiled, "rep.li", now)),
        "return_visit.filed_once"
    );
    let mut bad = filed();
    bad.satisfaction = Some(Satisfaction {
        product: 9,
        service: 3,
        environment: 3,
    });
    assert_eq!(
        rule(judged(&filed(), &bad, "rep.li", now)),
        "return_visit.satisfaction_range"
    );
}

#[test]
fn only_a_supervisor_of_the_rep_reviews_a_filed_report_seed_001() {
    let now = sh(2026, 11, 26, 9, 0);
    let review = |who: &str, base: ReturnVisitReport| {
        let mut r = base;
        r.review = Some(Review {
            by: user(who),
            at: now,
            guidance: "跟进报价".into(),
        });
        r
    };
    assert_eq!(
        judged(&filed(), &review("sup.zhao", filed()), "sup.zhao", now),
        Ok(())
    );
    for who in ["rep.li", "sup.qian", "cs.zhou"] {
        assert_eq!(
            rule(judged(&filed(), &review(who, filed()), who, now)),
            "return_visit.review_by_supervisor",
            "{who}"
        );
    }
    assert_eq!(
        rule(judged(
            &draft(),
            &review("sup.zhao", draft()),
            "sup.zhao",
            now
        )),
        "return_visit.review_only_filed"
    );
    let reviewed = review("sup.zhao", filed());
    let mut edited = reviewed.clone();
    edited.needs = "改写".into();
    assert_eq!(
        rule(judged(&reviewed, &edited, "rep.li", now)),
        "return_visit.review_freezes_report"
    );
    edited.review = None;
    assert_eq!(
        judged(&reviewed, &edited, "rep.li", now),
        Ok(()),
        "withdrawn"
    );
}

#[test]
fn the_visit_expense_is_signed_by_the_rep_s_supervisor_seed_001() {
    let now = sh(2026, 11, 26, 9, 0);
    let mut r = filed();
    r.expense = Some(crate::model::VisitExpense {
        amount_fen: 12_000,
        description: "交通".into(),
        ..Default::default()
    });
    let sign = |who: &str| {
        let mut s = r.clone();
        let e = s.expense.as_mut().unwrap();
        e.signed_by = Some(user(who));
        e.signed_at = Some(now);
        s
    };
    assert_eq!(judged(&r, &sign("sup.zhao"), "sup.zhao", now), Ok(()));
    assert_eq!(
        rule(judged(&r, &sign("rep.li"), "rep.li", now)),
        "return_visit.expense_signed_by_supervisor"
    );
    let signed = sign("sup.zhao");
    let mut raised = signed.clone();
    raised.expense.as_mut().unwrap().amount_fen = 90_000;
    assert_eq!(
        rule(judged(&signed, &raised, "rep.li", now)),
        "return_visit.signed_expense_frozen"
    );
}

fn with_proposal(department: Option<Department>) -> ReturnVisitReport {
    let mut r = filed();
    r.proposals.push(Proposal {
        id: "p1".into(),
        text: "增加夜间送货".into(),
        received_at: sh(2026, 11, 24, 10, 0),
        routed_by: department_set(&department),
        routed_at: department.as_ref().map(|_| sh(2026, 11, 24, 10, 0)),
        department,
        ..Proposal::default()
    });
    r
}

fn department_set(d: &Option<Department>) -> Option<UserId> {
    d.as_ref().map(|_| user("rep.li"))
}

#[test]
fn only_the_routed_manager_answers_a_proposal_seed_001() {
    let now = sh(2026, 11, 30, 9, 0);
    let before = with_proposal(Some(Department::Finance));
    let answer = |who: &str| {
        let mut r = before.clone();
        rp::answer_proposal(
            &mut r,
            "p1",
            ProposalOutcome::Accepted,
            "同意月结",
            &act(who, now),
        )
        .unwrap();
        r
    };
    assert_eq!(judged(&before, &answer("fin.wu"), "fin.wu", now), Ok(()));
    for who in ["cs.zhou", "sup.zhao", "rep.li"] {
        assert_eq!(
            rule(judged(&before, &answer(who), who, now)),
            "return_visit.proposal_answered_by_routed_manager",
            "{who}"
        );
    }
    let answered = answer("fin.wu");
    let mut rewritten = answered.clone();
    rewritten.proposals[0].answer = "不同意".into();
    assert_eq!(
        rule(judged(&answered, &rewritten, "fin.wu", now)),
        "return_visit.proposal_answer_final"
    );
    let mut removed = answered.clone();
    removed.proposals.clear();
    assert_eq!(
        rule(judged(&answered, &removed, "rep.li", now)),
        "return_visit.proposals_append_only"
    );
}

#[test]
fn routing_and_extensions_follow_the_department_seed_001() {
    let now = sh(2026, 11, 30, 9, 0);
    let unrouted = with_proposal(None);
    let route = |who: &str, base: &ReturnVisitReport, d: Department| {
        let mut r = base.clone();
        rp::route_proposal(&mut r, "p1", d, &act(who, now)).unwrap();
        r
    };
    let routed = route("rep.li", &unrouted, Department::Finance);
    assert_eq!(judged(&unrouted, &routed, "rep.li", now), Ok(()));
    assert_eq!(
        rule(judged(
            &unrouted,
            &route("fin.wu", &unrouted, Department::Finance),
            "fin.wu",
            now
        )),
        "return_visit.proposal_routed"
    );
    let rerouted = route("rep.li", &routed, Department::Marketing);
    assert_eq!(
        rule(judged(&routed, &rerouted, "rep.li", now)),
        "return_visit.proposal_routed"
    );
    let passed_on = route("fin.wu", &routed, Department::Marketing);
    assert_eq!(judged(&routed, &passed_on, "fin.wu", now), Ok(()));
    let mut extended = routed.clone();
    rp::extend_proposal(&mut extended, "p1", "副总裁批准", &act("fin.wu", now)).unwrap();
    assert_eq!(judged(&routed, &extended, "fin.wu", now), Ok(()));
    let mut by_rep = routed.clone();
    rp::extend_proposal(&mut by_rep, "p1", "副总裁批准", &act("rep.li", now)).unwrap();
    assert_eq!(
        rule(judged(&routed, &by_rep, "rep.li", now)),
        "return_visit.proposal_extension"
    );
}
