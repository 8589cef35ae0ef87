//! The steps of a reception (seed 001 §1–2): the voucher, holding or cancelling it, the
//! expense from application to reimbursement, and the receipts queue. Each step is the core's
//! rule, checked again by the lifecycle judge with the signed-in role; the server judges the
//! same change when it arrives.

use std::sync::Arc;

use fieldbook_core::queries::receipts;
use fieldbook_core::rules::reception::{self, Approver, ExpenseRequest};

use crate::background::run;
use crate::convert::{record_id, user_opt};
use crate::enums::ExpenseApprover;
use crate::error::Result;
use crate::observer::ChangeOrigin;
use crate::queries::ReceiptsDue;
use crate::records::ReceptionNote;
use crate::store::FieldbookStore;

#[uniffi::export]
impl FieldbookStore {
    /// The customer-service manager approves the visit voucher (来访凭证), before the visit;
    /// never the host herself.
    pub async fn approve_visit_voucher(
        self: Arc<Self>,
        reception_id: String,
        number: String,
    ) -> Result<ReceptionNote> {
        run(move || {
            self.act::<ReceptionNote>(&reception_id, |n, a| {
                reception::approve_voucher(n, &number, a)
            })
        })
        .await
    }

    /// Records the reception as held, now: only with a standing voucher (no voucher, no
    /// visit) and, for all but general visitors, a senior escort.
    pub async fn hold_reception(self: Arc<Self>, reception_id: String) -> Result<ReceptionNote> {
        run(move || self.act::<ReceptionNote>(&reception_id, reception::record_held)).await
    }

    /// Cancels a planned reception, with the reason.
    pub async fn cancel_reception(
        self: Arc<Self>,
        reception_id: String,
        reason: String,
    ) -> Result<ReceptionNote> {
        run(move || {
            self.act::<ReceptionNote>(&reception_id, |n, a| reception::cancel(n, &reason, a))
        })
        .await
    }

    /// Applies for the reception's expenses before the visit: the amount asked and what for
    /// (the approvers set the budget); at most one request per person per month.
    pub async fn apply_for_reception_expense(
        self: Arc<Self>,
        reception_id: String,
        amount_fen: i64,
        purpose: String,
    ) -> Result<ReceptionNote> {
        run(move || {
            let id = record_id("reception_id", &reception_id)?;
            let req = ExpenseRequest {
                amount_fen,
                purpose,
            };
            let stored = reception::apply_expense_in_store(&self.store, id, &req, &self.calendar)?;
            self.changed(reception_id, ChangeOrigin::Local);
            Ok(stored.into())
        })
        .await
    }

    /// One approver's decision on the expense: the customer-service manager first (approving
    /// sets the budget: `budget_fen`, or the amount asked when null), then the finance manager.
    pub async fn decide_reception_expense(
        self: Arc<Self>,
        reception_id: String,
        approver: ExpenseApprover,
        approved: bool,
        budget_fen: Option<i64>,
        comment: String,
    ) -> Result<ReceptionNote> {
        run(move || {
            self.act::<ReceptionNote>(&reception_id, |n, a| {
                match (Approver::from(approver), approved, budget_fen) {
                    (Approver::CustomerServiceManager, true, Some(budget)) => {
                        reception::approve_with_budget(n, budget, &comment, a)
                    }
                    (who, _, _) => reception::decide_expense(n, who, approved, &comment, a),
                }
            })
        })
        .await
    }

    /// Records what was spent, after the reception; above the budget, the excess is recorded
    /// as borne by the staff member and not reimbursed.
    pub async fn record_reception_spending(
        self: Arc<Self>,
        reception_id: String,
        spent_fen: i64,
    ) -> Result<ReceptionNote> {
        run(move || {
            self.act::<ReceptionNote>(&reception_id, |n, _| {
                reception::record_spending(n, spent_fen)
            })
        })
        .await
    }

    /// Submits the receipts, now (within 15 days after the reception).
    pub async fn submit_reception_receipts(
        self: Arc<Self>,
        reception_id: String,
    ) -> Result<ReceptionNote> {
        run(move || self.act::<ReceptionNote>(&reception_id, reception::submit_receipts)).await
    }

    /// Finance reimburses the spending within the budget, once the receipts are in.
    pub async fn reimburse_reception_expense(
        self: Arc<Self>,
        reception_id: String,
    ) -> Result<ReceptionNote> {
        run(move || self.act::<ReceptionNote>(&reception_id, reception::reimburse)).await
    }

    /// Who owes reception receipts, due when, overdue or not (earliest first); with `owed_by`,
    /// only that person's.
    pub async fn receipts_queue(
        self: Arc<Self>,
        owed_by: Option<String>,
    ) -> Result<Vec<ReceiptsDue>> {
        run(move || {
            let who = user_opt("owed_by", owed_by)?;
            let now = self.store.clock().now();
            let owed = receipts::receipts_from_store(&self.store, who.as_ref(), now)?;
            Ok(owed.into_iter().map(Into::into).collect())
        })
        .await
    }
}
