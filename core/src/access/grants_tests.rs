//! Grants to customer files (seed 001 §3.6(4)): who reads a customer with and without one,
//! and which grants are refused.
#![allow(clippy::unwrap_used)]

use serde_json::json;

use super::tests::{company, id, record, u};
use super::*;

fn names(dir: &Directory, rec: &serde_json::Value) -> Vec<String> {
    let leads = LeadOutcomes::new();
    dir.readers(rec, &leads)
        .iter()
        .map(|u| u.to_string())
        .collect()
}

/// Seed 001 §3.6(4): another department (finance, another team's rep) reads a customer file
/// only while a customer-service manager's grant is active; other kinds stay as they are.
#[test]
fn a_grant_adds_its_holder_to_a_customers_readers_only() {
    let mut dir = company();
    let customer = record("customer", "rep.li", json!({"grade": "B"}));
    let base = ["cs.zhou", "mkt.sun", "rep.li", "sup.zhao"];
    assert_eq!(names(&dir, &customer), base);
    dir.set_grants([
        (id(1), u("fin.wu")),
        (id(1), u("rep.wang")),
        (id(2), u("admin.zheng")),
    ]);
    assert_eq!(
        names(&dir, &customer),
        [
            "cs.zhou", "fin.wu", "mkt.sun", "rep.li", "rep.wang", "sup.zhao"
        ]
    );
    // A reception note (expense approval) is read by finance without any grant.
    let note = record("reception_note", "rep.li", json!({"host": "rep.li"}));
    assert!(names(&dir, &note).contains(&"fin.wu".to_owned()));
    assert!(names(&dir, &note).contains(&"admin.zheng".to_owned()));
    // A grant that became A-grade reaches no one while it is.
    let mut a = customer.clone();
    a["grade"] = json!("A");
    assert_eq!(names(&dir, &a), ["mkt.sun"]);
    dir.set_grants([]);
    assert_eq!(names(&dir, &customer), base);
}

/// Seed 001 §3.6(3) and (4): only the customer-service manager grants; an A-grade customer,
/// another kind, a missing reason or a grant over 30 days is refused.
#[test]
fn grants_are_checked() {
    assert_eq!(may_grant(Some(Role::CustomerServiceManager)), Ok(()));
    for role in [Role::FinanceManager, Role::MarketingManager, Role::Admin] {
        assert_eq!(may_grant(Some(role)), Err(GrantRefusal::NotCustomerService));
    }
    assert_eq!(may_grant(None), Err(GrantRefusal::NotCustomerService));
    let b = record("customer", "rep.li", json!({"grade": "B"}));
    assert_eq!(check_grant(&b, "对账", None), Ok(DEFAULT_GRANT_DAYS));
    assert_eq!(check_grant(&b, "对账", Some(30)), Ok(30));
    assert_eq!(check_grant(&b, "对账", Some(31)), Err(GrantRefusal::Days));
    assert_eq!(check_grant(&b, "对账", Some(0)), Err(GrantRefusal::Days));
    assert_eq!(check_grant(&b, "  ", None), Err(GrantRefusal::Reason));
    let a = record("customer", "rep.li", json!({"grade": "A"}));
    let refused = check_grant(&a, "对账", None).unwrap_err();
    assert_eq!(refused, GrantRefusal::AGrade);
    assert!(refused.to_string().starts_with("A级客户"), "{refused}");
    let lead = record("lead_referral", "rep.li", json!({}));
    assert_eq!(
        check_grant(&lead, "对账", None),
        Err(GrantRefusal::NotACustomer)
    );
}
