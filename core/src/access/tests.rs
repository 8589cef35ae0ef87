#![allow(clippy::unwrap_used)]

use serde_json::json;

use super::*;
use crate::ids::{RecordId, UserId};

fn u(s: &str) -> UserId {
    UserId::new(s).unwrap()
}

/// Two teams, a rep in each, their supervisors, and the back office.
fn company() -> Directory {
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

fn id(n: u8) -> RecordId {
    RecordId::from_random_bytes([n; 16])
}

fn record(kind: &str, owner: &str, extra: serde_json::Value) -> serde_json::Value {
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
            record("customer", "rep.li", json!({"grade": "B"})),
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
    after["review"] = json!({"by": "x", "guidance": "g"});
    let refusal = check("rep.li", Some(&before), &after).unwrap_err();
    assert_eq!(refusal.field, "/review/by");
    assert!(check("sup.zhao", Some(&before), &after).is_ok());
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
    cs["expense"]["cs_manager"] = json!({"approved": true});
    let mut fin = before.clone();
    fin["expense"]["finance_manager"] = json!({"approved": true});
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
