#![allow(clippy::unwrap_used)]

use super::*;
use crate::calendar::WorkCalendar;
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

/// A general visit with a voucher and an expense applied for by rep.li on 25 November.
fn applied() -> ReceptionNote {
    let mut n = planned(VisitorCategory::General);
    n.host = user("rep.li");
    let cal = WorkCalendar::china_default();
    apply_expense(&mut n, &request(), &[], &act(sh(2026, 11, 25, 9, 0)), &cal).unwrap();
    let cs = act(sh(2026, 11, 25, 9, 30)).by(user("cs.zhou"));
    approve_voucher(&mut n, "V-1", &cs).unwrap();
    n
}

fn approved(budget: i64) -> ReceptionNote {
    let mut n = applied();
    let cs = act(sh(2026, 11, 25, 10, 0)).by(user("cs.zhou"));
    approve_with_budget(&mut n, budget, "", &cs).unwrap();
    let fin = act(sh(2026, 11, 25, 11, 0)).by(user("fin.wu"));
    decide_expense(&mut n, Approver::FinanceManager, true, "", &fin).unwrap();
    n
}

#[test]
fn the_host_cannot_approve_her_own_voucher_seed_001() {
    let mut n = planned(VisitorCategory::General);
    n.host = user("rep.li");
    let err = approve_voucher(&mut n, "V-1", &act(sh(2026, 11, 30, 9, 0))).unwrap_err();
    assert!(err.to_string().contains("host cannot approve"), "{err}");
    assert!(n.voucher.is_none());
}

#[test]
fn expense_needs_customer_service_and_finance_approval_seed_001() {
    let mut n = applied();
    assert_eq!(
        n.expense.as_ref().unwrap().budget_fen,
        0,
        "no budget of her own"
    );
    let fin = act(sh(2026, 11, 25, 10, 0)).by(user("fin.wu"));
    assert!(
        decide_expense(&mut n, Approver::FinanceManager, true, "", &fin).is_err(),
        "the customer-service manager first"
    );
    let own = act(sh(2026, 11, 25, 10, 0));
    assert!(
        decide_expense(&mut n, Approver::CustomerServiceManager, true, "", &own).is_err(),
        "self-approval"
    );
    let cs = act(sh(2026, 11, 25, 10, 0)).by(user("cs.zhou"));
    assert!(
        approve_with_budget(&mut n, 90_000, "", &cs).is_err(),
        "above the ask"
    );
    decide_expense(&mut n, Approver::CustomerServiceManager, true, "", &cs).unwrap();
    assert_eq!(n.expense.as_ref().unwrap().budget_fen, 80_000, "as asked");
    assert!(!expense_approved(&n), "finance has not approved");
    decide_expense(&mut n, Approver::FinanceManager, true, "", &fin).unwrap();
    assert!(expense_approved(&n));
    assert!(record_spending(&mut n, 70_000).is_err(), "not held yet");
}

#[test]
fn overspending_is_recorded_and_borne_by_the_staff_member_seed_001() {
    let mut n = approved(60_000);
    record_held(&mut n, &act(sh(2026, 12, 1, 11, 0))).unwrap();
    record_spending(&mut n, 75_000).unwrap();
    let e = n.expense.clone().unwrap();
    assert_eq!((e.spent_fen, e.over_budget_fen), (Some(75_000), 15_000));
    assert!(record_spending(&mut n, 50_000).is_err(), "once");
    submit_receipts(&mut n, &act(sh(2026, 12, 3, 9, 0))).unwrap();
    let own = act(sh(2026, 12, 4, 9, 0));
    assert!(reimburse(&mut n, &own).is_err(), "not her own");
    reimburse(&mut n, &own.clone().by(user("fin.wu"))).unwrap();
    let paid = n.expense.unwrap().reimbursement.unwrap();
    assert_eq!(paid.amount_fen, 60_000, "the budget, not the overspend");
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
    let mut n = approved(80_000);
    record_held(&mut n, &act(sh(2026, 12, 1, 11, 0))).unwrap();
    assert!(
        submit_receipts(&mut n, &act(sh(2026, 12, 2, 9, 0))).is_err(),
        "no spending"
    );
    record_spending(&mut n, 70_000).unwrap();
    assert_eq!(receipts_due_at(&n), Some(sh(2026, 12, 16, 11, 0)));
    assert!(submit_receipts(&mut n, &act(sh(2026, 12, 17, 9, 0))).is_err());
    submit_receipts(&mut n, &act(sh(2026, 12, 16, 9, 0))).unwrap();
}

#[test]
fn a_planned_reception_is_cancelled_with_its_reason() {
    let mut n = planned(VisitorCategory::General);
    assert!(cancel(&mut n, " ", &act(sh(2026, 11, 30, 9, 0))).is_err());
    cancel(
        &mut n,
        "客户改期 / the customer postponed",
        &act(sh(2026, 11, 30, 9, 0)),
    )
    .unwrap();
    assert_eq!(n.status, ReceptionStatus::Cancelled);
    assert_eq!(n.history.last().unwrap().to, "cancelled");
    assert!(record_held(&mut n, &act(sh(2026, 12, 1, 11, 0))).is_err());
}

#[test]
fn an_approval_given_to_another_amount_does_not_count_issue_15() {
    let n = approved(80_000);
    assert!(expense_approved(&n));
    // A concurrent offline edit merged in: the approvals saw another amount, another head count.
    let mut merged = n.clone();
    if let Some(e) = merged.expense.as_mut() {
        e.amount_fen = 5_000_000;
    }
    assert!(!approval_stands(&merged, Approver::CustomerServiceManager));
    assert!(!expense_approved(&merged));
    record_held(&mut merged, &act(sh(2026, 12, 1, 11, 0))).unwrap();
    assert!(record_spending(&mut merged, 70_000).is_err());
    let mut more = n.clone();
    more.head_count += 40;
    assert!(!expense_approved(&more));
}
