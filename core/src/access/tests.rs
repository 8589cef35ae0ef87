#![allow(clippy::unwrap_used)]

use serde_json::json;

use super::*;
use crate::ids::{RecordId, UserId};

pub(super) fn u(s: &str) -> UserId {
    UserId::new(s).unwrap()
}

/// Two teams, a rep in each, their supervisors, and the back office.
pub(super) fn company() -> Directory {
    let mut d = Directory::new();
    d.insert(u("rep.li"), Role::FieldRep, Some("east"));
    d.insert(u("rep.wang"), Role::FieldRep, Some("west"));
    d.insert(u("sup.zhao"), Role::Supervisor, Some("east"));
    d.insert(u("sup.qian"), Role::Supervisor, Some("west"));
    d.insert(u("mkt.sun"), Role::MarketingManager, None);
    d.insert(u("cs.zhou"), Role::CustomerServiceManager, None);
    d.insert(u("fin.wu"), Role::FinanceManager, None);
    d.insert(u("admin.zheng"), Role::Admin, None);
    d
}

pub(super) fn id(n: u8) -> RecordId {
    RecordId::from_random_bytes([n; 16])
}

pub(super) fn record(kind: &str, owner: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut r = json!({"kind": kind, "meta": {"id": id(1).to_string(), "owner": owner,
        "created_by": owner}});
    if let (Some(r), Some(e)) = (r.as_object_mut(), extra.as_object()) {
        r.extend(e.clone());
    }
    r
}

#[test]
fn paths_ignore_null_versus_missing_and_descend_into_objects() {
    let before = json!({"a": 1, "e": {"x": 1, "y": null}});
    let after = json!({"a": 1, "b": null, "e": {"x": 2}, "l": [1]});
    assert_eq!(changed_paths(&before, &after), vec!["/e/x", "/l"]);
}

#[test]
fn readers_by_role_kind_and_grade() {
    let dir = company();
    let leads = LeadOutcomes::new();
    // (record, who reads it)
    let cases = [
        (
            // Seed 001 §3.6(4): finance and admin read a customer file only with a grant.
            record("customer", "rep.li", json!({"grade": "B"})),
            vec!["cs.zhou", "mkt.sun", "rep.li", "sup.zhao"],
        ),
        (
            record("customer", "rep.li", json!({"grade": "A"})),
            vec!["mkt.sun"],
        ),
        (
            record("visit_plan", "sup.zhao", json!({"rep": "rep.li"})),
            vec![
                "admin.zheng",
                "cs.zhou",
                "fin.wu",
                "mkt.sun",
                "rep.li",
                "sup.zhao",
            ],
        ),
        (
            record("lead_referral", "rep.wang", json!({})),
            vec![
                "admin.zheng",
                "cs.zhou",
                "fin.wu",
                "mkt.sun",
                "rep.wang",
                "sup.qian",
            ],
        ),
    ];
    for (rec, expected) in cases {
        let got: Vec<String> = dir
            .readers(&rec, &leads)
            .iter()
            .map(|u| u.to_string())
            .collect();
        assert_eq!(got, expected, "{rec}");
    }
}

#[test]
fn an_a_grade_customers_rep_and_supervisor_read_its_view_only() {
    let dir = company();
    let leads = LeadOutcomes::new();
    let mut real = record("customer", "rep.li", json!({"grade": "A"}));
    real["meta"]["created_by"] = json!("mkt.sun");
    let names = |set: std::collections::BTreeSet<UserId>| -> Vec<String> {
        set.iter().map(|u| u.to_string()).collect()
    };
    assert_eq!(names(dir.readers(&real, &leads)), ["mkt.sun"]);
    assert_eq!(
        names(dir.view_readers(&real, &leads)),
        ["rep.li", "sup.zhao"]
    );
    let mut view = real.clone();
    view["meta"]["id"] = json!(view_id(id(1)).to_string());
    view["meta"]["view_of"] = json!(id(1).to_string());
    assert_eq!(names(dir.readers(&view, &leads)), ["rep.li", "sup.zhao"]);
    // No longer A: the record reaches everyone in scope again, its view no one.
    view["grade"] = json!("B");
    real["grade"] = json!("B");
    assert!(dir.readers(&view, &leads).is_empty());
    assert!(dir.view_readers(&real, &leads).is_empty());
    assert!(dir.may_read(&u("rep.li"), &real, &leads));
}

#[test]
fn a_lead_that_lost_reaches_the_winner_instead() {
    let dir = company();
    let mut leads = LeadOutcomes::new();
    let lead = record("lead_referral", "rep.wang", json!({}));
    leads.set_lost(id(1), u("rep.li"));
    assert!(dir.may_read(&u("rep.li"), &lead, &leads));
    assert!(!dir.may_read(&u("rep.wang"), &lead, &leads));
}

fn check(
    user: &str,
    before: Option<&serde_json::Value>,
    after: &serde_json::Value,
) -> Result<(), Refusal> {
    let user = u(user);
    let author = write_rules_author(&user);
    check_write(
        &company(),
        &LeadOutcomes::new(),
        author,
        id(1),
        before,
        after,
        &[],
    )
}

fn write_rules_author(user: &UserId) -> super::write_rules::Author<'_> {
    super::write_rules::Author { user, device: None }
}

#[test]
fn only_a_supervisor_writes_a_review() {
    let before = record("return_visit_report", "rep.li", json!({"rep": "rep.li"}));
    let mut after = before.clone();
    after["review"] = json!({"by": "sup.zhao", "guidance": "g"});
    let refusal = check("rep.li", Some(&before), &after).unwrap_err();
    assert_eq!(refusal.field, "/review/by");
    assert!(check("sup.zhao", Some(&before), &after).is_ok());
    // A review must name its author (issue 15: it named anyone).
    after["review"]["by"] = json!("x");
    let refusal = check("sup.zhao", Some(&before), &after).unwrap_err();
    assert_eq!(refusal.field, "/review/by");
}

#[test]
fn a_rep_cannot_change_an_owner_or_a_creator() {
    let before = record("lead_referral", "rep.li", json!({}));
    let mut after = before.clone();
    after["meta"]["owner"] = json!("rep.wang");
    assert_eq!(
        check("rep.li", Some(&before), &after).unwrap_err().field,
        "/meta/owner"
    );
    let mut after = before.clone();
    after["meta"]["created_by"] = json!("rep.wang");
    assert_eq!(
        check("rep.li", Some(&before), &after).unwrap_err().field,
        "/meta/created_by"
    );
}

#[test]
fn expense_approvals_belong_to_their_managers() {
    let before = record(
        "reception_note",
        "rep.li",
        json!({"host": "rep.li",
        "expense": {"amount_fen": 100}}),
    );
    let mut cs = before.clone();
    cs["expense"]["cs_manager"] = json!({"approved": true, "by": "cs.zhou"});
    let mut fin = before.clone();
    fin["expense"]["finance_manager"] = json!({"approved": true, "by": "fin.wu"});
    assert!(check("rep.li", Some(&before), &cs).is_err());
    assert!(check("fin.wu", Some(&before), &cs).is_err());
    assert!(check("cs.zhou", Some(&before), &cs).is_ok());
    assert!(check("fin.wu", Some(&before), &fin).is_ok());
    assert!(check("cs.zhou", Some(&before), &fin).is_err());
}

#[test]
fn nobody_edits_outside_their_scope_and_creation_is_for_oneself() {
    let theirs = record("customer", "rep.wang", json!({"grade": "C", "notes": ""}));
    let mut edited = theirs.clone();
    edited["notes"] = json!("x");
    assert_eq!(
        check("rep.li", Some(&theirs), &edited).unwrap_err().field,
        ""
    );
    // Creating a record for someone else, or as someone else, is refused.
    let forged = record("customer", "rep.wang", json!({}));
    assert!(check("rep.li", None, &forged).is_err());
    let own = record("customer", "rep.li", json!({}));
    assert!(check("rep.li", None, &own).is_ok());
    // A supervisor creates a visit for a rep of the team, not of another team.
    let mut visit = record("visit_plan", "rep.li", json!({"rep": "rep.li"}));
    visit["meta"]["created_by"] = json!("sup.zhao");
    assert!(check("sup.zhao", None, &visit).is_ok());
    let mut other = record("visit_plan", "rep.wang", json!({"rep": "rep.wang"}));
    other["meta"]["created_by"] = json!("sup.zhao");
    assert!(check("sup.zhao", None, &other).is_err());
}

#[test]
fn the_server_stamp_is_the_servers() {
    let before = record("lead_referral", "rep.li", json!({}));
    let mut after = before.clone();
    after["server_received_at"] = json!("2026-01-01T00:00:00Z");
    assert_eq!(
        check("mkt.sun", Some(&before), &after).unwrap_err().field,
        "/server_received_at"
    );
}

/// A reception whose expense both managers approved, as the decision table sees it.
fn approved_reception() -> serde_json::Value {
    let mut r = record(
        "reception_note",
        "rep.li",
        json!({"host": "rep.li", "head_count": 6,
        "expense": {"amount_fen": 50_000, "budget_fen": 60_000, "applied_by": "rep.li"}}),
    );
    r["expense"]["cs_manager"] = json!({"approved": true, "by": "cs.zhou"});
    r["expense"]["finance_manager"] = json!({"approved": true, "by": "fin.wu"});
    r
}

#[test]
fn an_approved_amount_changes_only_with_its_approvals_withdrawn_issue_15() {
    let before = approved_reception();
    let mut raised = before.clone();
    raised["expense"]["amount_fen"] = json!(5_000_000);
    let refusal = check("rep.li", Some(&before), &raised).unwrap_err();
    assert_eq!(refusal.field, "/expense/amount_fen");
    assert!(
        refusal.reason.contains("撤回") && refusal.reason.contains("withdrawing"),
        "{}",
        refusal.reason
    );
    // The approvers cannot change it either while the other approval stands.
    let mut head = before.clone();
    head["head_count"] = json!(60);
    assert_eq!(
        check("sup.zhao", Some(&before), &head).unwrap_err().field,
        "/head_count"
    );
    // Withdrawing one approval is not enough; withdrawing both is.
    raised["expense"]["cs_manager"] = json!(null);
    assert!(check("rep.li", Some(&before), &raised).is_err());
    raised["expense"]["finance_manager"] = json!(null);
    assert!(check("rep.li", Some(&before), &raised).is_ok());
    // What no approval decided stays free.
    let mut spent = before.clone();
    spent["expense"]["spent_fen"] = json!(40_000);
    assert!(check("rep.li", Some(&before), &spent).is_ok());
}

#[test]
fn a_rep_withdraws_a_decision_but_never_writes_one_issue_15() {
    let before = record("reception_note", "rep.li", json!({"host": "rep.li"}));
    let mut voucher = before.clone();
    voucher["voucher"] = json!({"number": "V-1", "approved_by": "rep.li"});
    let refusal = check("rep.li", Some(&before), &voucher).unwrap_err();
    assert_eq!(refusal.field, "/voucher/approved_by");
    assert!(
        check("rep.li", None, &voucher).is_err(),
        "not at creation either"
    );
    // The customer-service manager approves vouchers, in her own name.
    let mut cs = before.clone();
    cs["voucher"] = json!({"number": "V-1", "approved_by": "cs.zhou"});
    assert!(check("cs.zhou", Some(&before), &cs).is_ok());
    assert!(
        check("rep.li", Some(&cs), &before).is_ok(),
        "the rep withdraws it"
    );
    // The voucher freezes the visit it approved.
    let mut moved = cs.clone();
    moved["visit_at"] = json!("2026-12-01T02:00:00Z");
    assert_eq!(
        check("rep.li", Some(&cs), &moved).unwrap_err().field,
        "/visit_at"
    );
}

#[test]
fn a_reviewed_report_and_a_signed_expense_are_frozen_issue_15() {
    let mut before = record(
        "return_visit_report",
        "rep.li",
        json!({"rep": "rep.li", "needs": "a",
        "expense": {"amount_fen": 100, "signed_by": "sup.zhao"}}),
    );
    before["review"] = json!({"by": "sup.zhao", "guidance": "g"});
    let mut edited = before.clone();
    edited["needs"] = json!("b");
    assert_eq!(
        check("rep.li", Some(&before), &edited).unwrap_err().field,
        "/needs"
    );
    edited["review"] = json!(null);
    assert!(check("rep.li", Some(&before), &edited).is_ok());
    let mut more = before.clone();
    more["expense"]["amount_fen"] = json!(100_000);
    assert_eq!(
        check("rep.li", Some(&before), &more).unwrap_err().field,
        "/expense/amount_fen"
    );
    let mut signed = record("return_visit_report", "rep.li", json!({"rep": "rep.li"}));
    let unsigned = signed.clone();
    signed["expense"] = json!({"amount_fen": 100, "signed_by": "rep.li"});
    assert_eq!(
        check("rep.li", Some(&unsigned), &signed).unwrap_err().field,
        "/expense/signed_by"
    );
}

#[test]
fn an_approval_records_what_it_covers_and_is_void_when_that_changed_issue_15() {
    let mut r = approved_reception();
    let d = decision("reception_note", "/expense/cs_manager").unwrap();
    r["expense"]["cs_manager"]["covers"] = json!(decision_covers(&r, d));
    let f = decision("reception_note", "/expense/finance_manager").unwrap();
    r["expense"]["finance_manager"]["covers"] = json!(decision_covers(&r, f));
    assert!(void_decisions(&r).is_empty());
    r["expense"]["amount_fen"] = json!(5_000_000);
    assert_eq!(void_decisions(&r).len(), 2);
}

#[test]
fn registration_times_are_set_once_issue_15() {
    let before = record(
        "lead_referral",
        "rep.li",
        json!({"registered_at": "2026-11-23T01:00:00Z"}),
    );
    for field in ["registered_at", "clock_floor_at"] {
        let mut after = before.clone();
        after[field] = json!("2020-01-01T00:00:00Z");
        let refusal = check("rep.li", Some(&before), &after).unwrap_err();
        assert_eq!(refusal.field, format!("/{field}"));
    }
    let mut stamped = before.clone();
    stamped["contact_floor_at"] = json!("2020-01-01T00:00:00Z");
    assert!(check("mkt.sun", Some(&before), &stamped).is_err());
}
