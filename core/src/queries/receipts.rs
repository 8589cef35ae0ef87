//! The receipts queue — seed 001 §2 3(7)①: receipts are due within 15 days after the
//! reception. Who owes receipts, due when, and whether overdue, computed on the device from the
//! receptions it holds (the customer-service manager's and finance's phones hold them all).
//!
//! Choices: a reception owes receipts once it was held with an approved expense (both approvals
//! standing) and until the receipts are submitted, whether or not the spending was recorded
//! yet (recording it is the first half of settling up). The owner is the applicant. Overdue
//! entries stay in the queue: the applicant still owes them, and the rule refuses late receipts,
//! so the customer-service manager must follow up. Earliest deadline first.

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::ids::{RecordId, UserId};
use crate::model::{ReceptionNote, ReceptionStatus};
use crate::rules::reception::{expense_approved, receipts_due_at};
use crate::store::{DeviceStore, Filter};

/// One reception whose receipts are owed.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceiptsDue {
    pub reception: RecordId,
    pub purpose: String,
    /// Who owes them: the expense's applicant.
    pub owed_by: UserId,
    pub due_at: DateTime<Utc>,
    pub overdue: bool,
    /// Whether the spending was recorded yet.
    pub spending_recorded: bool,
}

/// The receipts owed among `notes` at `now`, earliest deadline first.
pub fn receipts_owed(notes: &[ReceptionNote], now: DateTime<Utc>) -> Vec<ReceiptsDue> {
    let mut out: Vec<ReceiptsDue> = notes.iter().filter_map(|n| owed(n, now)).collect();
    out.sort_by_key(|d| (d.due_at, d.reception));
    out
}

fn owed(note: &ReceptionNote, now: DateTime<Utc>) -> Option<ReceiptsDue> {
    let expense = note.expense.as_ref()?;
    let held = note.status == ReceptionStatus::Held;
    if !held || expense.receipts_submitted_at.is_some() || !expense_approved(note) {
        return None;
    }
    let due_at = receipts_due_at(note)?;
    Some(ReceiptsDue {
        reception: note.meta.id,
        purpose: note.purpose.clone(),
        owed_by: expense.applied_by.clone(),
        due_at,
        overdue: now > due_at,
        spending_recorded: expense.spent_fen.is_some(),
    })
}

/// The receipts owed among this device's receptions; with `owed_by`, only that person's.
#[tracing::instrument(skip_all)]
pub fn receipts_from_store(
    store: &DeviceStore,
    owed_by: Option<&UserId>,
    now: DateTime<Utc>,
) -> Result<Vec<ReceiptsDue>> {
    let all: Vec<ReceptionNote> = store.read_projected(&Filter::default())?;
    Ok(receipts_owed(&all, now)
        .into_iter()
        .filter(|d| owed_by.is_none_or(|u| &d.owed_by == u))
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::calendar::WorkCalendar;
    use crate::model::VisitorCategory;
    use crate::rules::reception::{
        Approver, ExpenseRequest, apply_expense, approve_voucher, decide_expense, record_held,
        record_spending, submit_receipts,
    };
    use crate::rules::test_support::{act, sh, user};

    fn held(day: u32) -> ReceptionNote {
        let mut n = ReceptionNote {
            meta: crate::model::RecordMeta {
                id: RecordId::from_random_bytes([day as u8; 16]),
                ..Default::default()
            },
            category: VisitorCategory::General,
            host: user("rep.li"),
            ..ReceptionNote::default()
        };
        let req = ExpenseRequest {
            amount_fen: 50_000,
            purpose: "午餐".into(),
        };
        let cal = WorkCalendar::china_default();
        apply_expense(&mut n, &req, &[], &act(sh(2026, 11, 20, 9, 0)), &cal).unwrap();
        let cs = act(sh(2026, 11, 20, 10, 0)).by(user("cs.zhou"));
        approve_voucher(&mut n, "V-1", &cs).unwrap();
        decide_expense(&mut n, Approver::CustomerServiceManager, true, "", &cs).unwrap();
        let fin = cs.clone().by(user("fin.wu"));
        decide_expense(&mut n, Approver::FinanceManager, true, "", &fin).unwrap();
        record_held(&mut n, &act(sh(2026, 11, day, 11, 0))).unwrap();
        n
    }

    #[test]
    fn receipts_owed_within_fifteen_days_earliest_first_seed_001() {
        let late = held(21);
        let mut spent = held(25);
        record_spending(&mut spent, 40_000).unwrap();
        let mut done = held(26);
        record_spending(&mut done, 40_000).unwrap();
        submit_receipts(&mut done, &act(sh(2026, 11, 27, 9, 0))).unwrap();
        let queue = receipts_owed(&[spent.clone(), done, late.clone()], sh(2026, 12, 7, 9, 0));
        let ids: Vec<RecordId> = queue.iter().map(|d| d.reception).collect();
        assert_eq!(
            ids,
            vec![late.meta.id, spent.meta.id],
            "submitted ones leave the queue"
        );
        assert_eq!(queue[0].due_at, sh(2026, 12, 6, 11, 0));
        assert!(queue[0].overdue && !queue[0].spending_recorded);
        assert!(!queue[1].overdue && queue[1].spending_recorded);
        assert_eq!(queue[1].owed_by, user("rep.li"));
    }
}
