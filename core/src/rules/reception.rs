//! Receiving visiting customers (来访接待) — seed 001 §1–2.
//!
//! - A visit voucher (来访凭证) is approved before the visit by the customer-service manager,
//!   never by the host herself; without one, the visit cannot be recorded as held.
//! - Senior escort: the seed asks it for important customers; a supervisor expects no less for
//!   government/organisation visitors and key accounts, so every category except "general"
//!   needs a named senior escort before the reception is recorded as held.
//! - A planned reception may be cancelled, with the reason kept in its history.
//! - The reception expense (`reception_expense.rs`): apply → customer-service manager →
//!   finance manager → spending → receipts (15 days) → reimbursement.
//!
//! Each function checks, then changes the record; the lifecycle judge
//! (`crate::lifecycle::reception`) checks the same steps again on the device and the server,
//! with the actor's role, so a stock client writing the fields raw is refused as well.

use super::{Action, wrong_state};
use crate::error::{Error, Result};
use crate::input::require_text;
use crate::model::{ReceptionNote, ReceptionStatus, StringEnum, VisitVoucher, VisitorCategory};

#[path = "reception_expense.rs"]
mod expense;

pub use expense::{
    Approver, ExpenseRequest, RECEIPTS_DUE_AFTER, apply_expense, apply_expense_in_store,
    approval_stands, approval_void, approve_with_budget, covers_of, decide_expense,
    expense_approved, receipts_due_at, record_spending, reimbursable_fen, reimburse,
    submit_receipts,
};

/// Whether a visitor category needs a senior escort.
pub fn needs_senior_escort(category: &VisitorCategory) -> bool {
    !matches!(category, VisitorCategory::General)
}

/// Approves the visit voucher; it must come before the visit, from someone other than the
/// host (the customer-service manager: the judge checks the role).
pub fn approve_voucher(note: &mut ReceptionNote, number: &str, act: &Action) -> Result<()> {
    let number = require_text(
        "voucher.number",
        number,
        "来访凭证编号",
        "the voucher number",
    )?;
    if note.status != ReceptionStatus::Planned {
        return Err(wrong_state(
            "status",
            note.status.as_str(),
            "审批来访凭证",
            "approve the visit voucher",
        ));
    }
    if act.by == note.host || act.by == note.meta.created_by {
        return Err(Error::invalid(
            "voucher",
            "接待人员不能审批自己的来访凭证 / the host cannot approve her own visit voucher",
        ));
    }
    if note.visit_at.is_some_and(|v| act.at >= v) {
        return Err(Error::invalid(
            "voucher",
            "来访凭证须在来访前审批 / the visit voucher must be approved before the visit",
        ));
    }
    note.voucher = Some(VisitVoucher {
        number,
        approved_by: act.by.clone(),
        approved_at: act.at,
    });
    Ok(())
}

/// Records the reception as held: needs an approved voucher, and an escort where required.
pub fn record_held(note: &mut ReceptionNote, act: &Action) -> Result<()> {
    if note.status != ReceptionStatus::Planned {
        return Err(wrong_state(
            "status",
            note.status.as_str(),
            "登记为已接待",
            "record as held",
        ));
    }
    let approved_in_time = match (&note.voucher, note.visit_at) {
        (Some(v), Some(at)) => v.approved_at < at && v.approved_at <= act.at,
        (Some(v), None) => v.approved_at <= act.at,
        (None, _) => false,
    };
    if !approved_in_time {
        return Err(Error::invalid(
            "voucher",
            "没有来访前审批的来访凭证，不能登记为已接待 / no voucher approved before the visit: it cannot be recorded as held",
        ));
    }
    if needs_senior_escort(&note.category) && note.senior_escort.trim().is_empty() {
        return Err(Error::invalid(
            "senior_escort",
            "重要客户须有高层陪同 / an important visitor needs a senior escort",
        ));
    }
    note.held_at = Some(act.at);
    note.history.push(act.change("planned", "held", ""));
    note.status = ReceptionStatus::Held;
    Ok(())
}

/// Cancels a planned reception; the reason is kept in its history.
pub fn cancel(note: &mut ReceptionNote, reason: &str, act: &Action) -> Result<()> {
    let reason = require_text("reason", reason, "取消原因", "the reason")?;
    if note.status != ReceptionStatus::Planned {
        return Err(wrong_state(
            "status",
            note.status.as_str(),
            "取消",
            "cancel",
        ));
    }
    note.history
        .push(act.change("planned", "cancelled", reason));
    note.status = ReceptionStatus::Cancelled;
    Ok(())
}

#[cfg(test)]
#[path = "reception_tests.rs"]
mod tests;
