#![allow(clippy::unwrap_used)]

use super::*;
use crate::rules::test_support::{act, sh, user};

fn planned(category: VisitorCategory) -> ReceptionNote {
    ReceptionNote {
        category,
        visit_at: Some(sh(2026, 12, 1, 10, 0)),
        ..ReceptionNote::default()
    }
}

fn request() -> ExpenseRequest {
    ExpenseRequest {
        amount_fen: 80_000,
        budget_fen: 100_000,
        purpose: "午餐".into(),
    }
}

#[test]
fn no_voucher_no_visit_seed_001() {
    let mut n = planned(VisitorCategory::General);
    let err = record_held(&mut n, &act(sh(2026, 12, 1, 11, 0)))
        .unwrap_err()
        .to_string();
    assert!(err.contains("来访凭证") && err.contains("voucher"), "{err}");
    assert!(
        approve_voucher(&mut n, "V-1", &act(sh(2026, 12, 1, 10, 30))).is_err(),
        "after the visit"
    );
    approve_voucher(&mut n, "V-1", &act(sh(2026, 11, 30, 9, 0))).unwrap();
    record_held(&mut n, &act(sh(2026, 12, 1, 11, 0))).unwrap();
    assert_eq!(n.status, ReceptionStatus::Held);
}

#[test]
fn important_visitors_need_a_senior_escort_seed_001() {
    let mut n = planned(VisitorCategory::Important);
    approve_voucher(&mut n, "V-2", &act(sh(2026, 11, 30, 9, 0))).unwrap();
    assert!(record_held(&mut n, &act(sh(2026, 12, 1, 11, 0))).is_err());
    n.senior_escort = "陈总".into();
    record_held(&mut n, &act(sh(2026, 12, 1, 11, 0))).unwrap();
}

#[test]
fn expense_needs_customer_service_and_finance_approval_seed_001() {
    let mut n = planned(VisitorCategory::General);
    apply_expense(
        &mut n,
        &request(),
        &[],
        &act(sh(2026, 11, 25, 9, 0)),
        &WorkCalendar::china_default(),
    )
    .unwrap();
    assert!(record_spending(&mut n, 70_000).is_err());
    let mgr = act(sh(2026, 11, 25, 10, 0)).by(user("mgr.wang"));
    assert!(
        decide_expense(
            &mut n,
            Approver::CustomerServiceManager,
            true,
            "",
            &act(sh(2026, 11, 25, 10, 0))
        )
        .is_err(),
        "self-approval"
    );
    decide_expense(&mut n, Approver::CustomerServiceManager, true, "", &mgr).unwrap();
    assert!(
        record_spending(&mut n, 70_000).is_err(),
        "finance has not approved"
    );
    decide_expense(
        &mut n,
        Approver::FinanceManager,
        true,
        "",
        &mgr.clone().by(user("fin.zhao")),
    )
    .unwrap();
    assert!(record_spending(&mut n, 120_000).is_err(), "over budget");
    record_spending(&mut n, 70_000).unwrap();
}

#[test]
fn one_expense_request_per_person_per_month_seed_001() {
    let cal = WorkCalendar::china_default();
    let mut first = planned(VisitorCategory::General);
    first.meta.id = crate::ids::RecordId::from_random_bytes([1; 16]);
    apply_expense(
        &mut first,
        &request(),
        &[],
        &act(sh(2026, 11, 2, 9, 0)),
        &cal,
    )
    .unwrap();
    let mut second = planned(VisitorCategory::General);
    let err = apply_expense(
        &mut second,
        &request(),
        std::slice::from_ref(&first),
        &act(sh(2026, 11, 25, 9, 0)),
        &cal,
    );
    assert!(err.unwrap_err().to_string().contains("每人每月"));
    assert!(second.expense.is_none());
    // The month is the company-local one: 23:30 on 30 November in Shanghai is still November.
    assert!(
        apply_expense(
            &mut second,
            &request(),
            std::slice::from_ref(&first),
            &act(sh(2026, 11, 30, 23, 30)),
            &cal
        )
        .is_err()
    );
}

#[test]
fn receipts_due_fifteen_days_after_the_reception_seed_001() {
    let mut n = planned(VisitorCategory::General);
    apply_expense(
        &mut n,
        &request(),
        &[],
        &act(sh(2026, 11, 25, 9, 0)),
        &WorkCalendar::china_default(),
    )
    .unwrap();
    approve_voucher(&mut n, "V-3", &act(sh(2026, 11, 30, 9, 0))).unwrap();
    record_held(&mut n, &act(sh(2026, 12, 1, 11, 0))).unwrap();
    assert_eq!(receipts_due_at(&n), Some(sh(2026, 12, 16, 11, 0)));
    assert!(submit_receipts(&mut n, &act(sh(2026, 12, 17, 9, 0))).is_err());
    submit_receipts(&mut n, &act(sh(2026, 12, 16, 9, 0))).unwrap();
}

#[test]
fn photos_forbidden_unless_permitted_seed_001() {
    let mut n = planned(VisitorCategory::General);
    assert!(check_photos_allowed(&n).is_err());
    n.photos_permitted = true;
    assert!(check_photos_allowed(&n).is_ok());
}

#[test]
fn an_approval_given_to_another_amount_does_not_count_issue_15() {
    let mut n = planned(VisitorCategory::General);
    let at = act(sh(2026, 11, 25, 9, 0));
    apply_expense(&mut n, &request(), &[], &at, &WorkCalendar::china_default()).unwrap();
    let cs = act(sh(2026, 11, 25, 10, 0)).by(user("cs.zhou"));
    decide_expense(&mut n, Approver::CustomerServiceManager, true, "", &cs).unwrap();
    let fin = cs.clone().by(user("fin.wu"));
    decide_expense(&mut n, Approver::FinanceManager, true, "", &fin).unwrap();
    assert!(expense_approved(&n));
    // A concurrent offline edit merged in: the approvals saw another amount, another head count.
    let mut merged = n.clone();
    if let Some(e) = merged.expense.as_mut() {
        e.amount_fen = 5_000_000;
    }
    assert!(!approval_stands(&merged, Approver::CustomerServiceManager));
    assert!(!expense_approved(&merged));
    assert!(record_spending(&mut merged, 70_000).is_err());
    let mut more = n.clone();
    more.head_count += 40;
    assert!(!expense_approved(&more));
}
