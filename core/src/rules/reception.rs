//! Receiving visiting customers (来访接待) — seed 001 §1–2.
//!
//! - A visit voucher (来访凭证) is approved before the visit; without one, the visit cannot be
//!   recorded as held.
//! - Senior escort: the seed asks it for important customers; a supervisor expects no less for
//!   government/organisation visitors and key accounts, so every category except "general"
//!   needs a named senior escort before the reception is recorded as held.
//! - Photos are forbidden unless the reception records a permission.
//! - Expense application: made before the visit, within its budget, approved by the
//!   customer-service manager **and** the finance manager (neither may be the applicant); at
//!   most one request per applicant per company-local calendar month (counting requests on
//!   other receptions); money is spent only once both approved; receipts within 15 calendar
//!   days after the reception — finance refuses later receipts, so the rule refuses them too.
//! - An approval records what it approved (`Approval::covers`, `access::decision_covers`); one
//!   whose application changed since (a concurrent offline edit) is void and never counts.

use chrono::{DateTime, Datelike, TimeDelta, Utc};

use super::{Action, wrong_state};
use crate::access;
use crate::calendar::WorkCalendar;
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::input::require_text;
use crate::model::{
    Approval, ExpenseApplication, ReceptionNote, ReceptionStatus, StringEnum, VisitVoucher,
    VisitorCategory,
};
use crate::store::{DeviceStore, Filter};

/// Receipts are due this long after the reception.
pub const RECEIPTS_DUE_AFTER: TimeDelta = TimeDelta::days(15);

/// Whether a visitor category needs a senior escort.
pub fn needs_senior_escort(category: &VisitorCategory) -> bool {
    !matches!(category, VisitorCategory::General)
}

/// Checks that photos may be taken at the reception (forbidden unless permitted, seed 001 §2).
pub fn check_photos_allowed(note: &ReceptionNote) -> Result<()> {
    if note.photos_permitted {
        Ok(())
    } else {
        Err(Error::invalid(
            "photos_permitted",
            "未经许可不得拍照 / photos are forbidden unless permitted",
        ))
    }
}

/// Approves the visit voucher; it must come before the visit.
pub fn approve_voucher(note: &mut ReceptionNote, number: &str, act: &Action) -> Result<()> {
    let number = require_text(
        "voucher.number",
        number,
        "来访凭证编号",
        "the voucher number",
    )?;
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
        (Some(v), Some(at)) => v.approved_at < at,
        (Some(_), None) => true,
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

/// What an expense application asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpenseRequest {
    pub amount_fen: i64,
    pub budget_fen: i64,
    pub purpose: String,
}

/// Applies for the reception's expenses. `others` are the other receptions this device knows,
/// to enforce one request per person per month.
pub fn apply_expense(
    note: &mut ReceptionNote,
    req: &ExpenseRequest,
    others: &[ReceptionNote],
    act: &Action,
    cal: &WorkCalendar,
) -> Result<()> {
    check_expense_request(note, req, act)?;
    let month = |t: DateTime<Utc>| {
        let d = cal.local_date(t);
        (d.year(), d.month())
    };
    let same_month = others
        .iter()
        .filter(|o| o.meta.id != note.meta.id)
        .any(|o| {
            o.expense
                .as_ref()
                .is_some_and(|e| e.applied_by == act.by && month(e.applied_at) == month(act.at))
        });
    if same_month {
        return Err(Error::invalid(
            "expense",
            "每人每月只能申请一次接待费用 / at most one expense request per person per month",
        ));
    }
    note.expense = Some(ExpenseApplication {
        amount_fen: req.amount_fen,
        budget_fen: req.budget_fen,
        purpose: require_text("expense.purpose", &req.purpose, "费用用途", "the purpose")?,
        applied_by: act.by.clone(),
        applied_at: act.at,
        ..ExpenseApplication::default()
    });
    Ok(())
}

/// [`apply_expense`] on a stored reception, checking the applicant's other receptions on this
/// device for the monthly limit.
#[tracing::instrument(skip_all)]
pub fn apply_expense_in_store(
    store: &DeviceStore,
    id: RecordId,
    req: &ExpenseRequest,
    cal: &WorkCalendar,
) -> Result<ReceptionNote> {
    let others: Vec<ReceptionNote> = store.read_projected(&Filter::default())?;
    let act = Action::on(store);
    store.update::<ReceptionNote>(id, |n| apply_expense(n, req, &others, &act, cal))
}

fn check_expense_request(note: &ReceptionNote, req: &ExpenseRequest, act: &Action) -> Result<()> {
    if note.expense.is_some() {
        return Err(Error::invalid(
            "expense",
            "此接待已有费用申请 / this reception already has an expense request",
        ));
    }
    if note.visit_at.is_some_and(|v| act.at >= v) || note.status != ReceptionStatus::Planned {
        return Err(Error::invalid(
            "expense",
            "费用须在来访前申请 / expenses are applied for before the visit",
        ));
    }
    if req.amount_fen <= 0 || req.amount_fen > req.budget_fen {
        return Err(Error::invalid(
            "expense.amount_fen",
            "申请金额须大于零且不超过预算 / the amount must be positive and within the budget",
        ));
    }
    Ok(())
}

/// The two approvers of a reception expense.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approver {
    /// 客服部经理
    CustomerServiceManager,
    /// 财务经理
    FinanceManager,
}

/// Records one approver's decision.
pub fn decide_expense(
    note: &mut ReceptionNote,
    who: Approver,
    approved: bool,
    comment: &str,
    act: &Action,
) -> Result<()> {
    let applicant = note.expense.as_ref().map(|e| &e.applied_by);
    if applicant == Some(&act.by) {
        return Err(Error::invalid(
            "expense",
            "申请人不能审批自己的申请 / an applicant cannot approve their own request",
        ));
    }
    let covers = covers_of(note, who)?;
    let expense = note
        .expense
        .as_mut()
        .ok_or_else(|| Error::invalid("expense", "没有费用申请 / there is no expense request"))?;
    let decision = Some(Approval {
        approved,
        by: act.by.clone(),
        at: act.at,
        comment: comment.trim().to_owned(),
        covers,
    });
    match who {
        Approver::CustomerServiceManager => expense.cs_manager = decision,
        Approver::FinanceManager => expense.finance_manager = decision,
    }
    Ok(())
}

impl Approver {
    /// Where the approver's decision sits in the record.
    pub fn path(self) -> &'static str {
        match self {
            Approver::CustomerServiceManager => "/expense/cs_manager",
            Approver::FinanceManager => "/expense/finance_manager",
        }
    }
}

/// What `who` decides on `note` as it stands now (`access::decision_covers`).
pub fn covers_of(note: &ReceptionNote, who: Approver) -> Result<String> {
    let json = serde_json::to_value(note)
        .map_err(|e| Error::invalid("expense", format!("记录无法读取 / unreadable: {e}")))?;
    let decision = access::decision("reception_note", who.path())
        .ok_or_else(|| Error::invalid("expense", "未知的审批 / unknown approval"))?;
    Ok(access::decision_covers(&json, decision))
}

/// `who`'s decision, if one was recorded.
fn approval_of(note: &ReceptionNote, who: Approver) -> Option<&Approval> {
    let expense = note.expense.as_ref()?;
    match who {
        Approver::CustomerServiceManager => expense.cs_manager.as_ref(),
        Approver::FinanceManager => expense.finance_manager.as_ref(),
    }
}

/// Whether `who` decided on something other than the application as it now is (a concurrent
/// offline change of the amount, head count, purpose… merged after the decision): void, shown
/// as such, and awaiting a new decision.
pub fn approval_void(note: &ReceptionNote, who: Approver) -> bool {
    approval_of(note, who).is_some_and(|a| covers_of(note, who).ok().as_ref() != Some(&a.covers))
}

/// Whether `who` approved the application as it now is.
pub fn approval_stands(note: &ReceptionNote, who: Approver) -> bool {
    approval_of(note, who).is_some_and(|a| a.approved) && !approval_void(note, who)
}

/// Whether both managers approved the application as it stands.
pub fn expense_approved(note: &ReceptionNote) -> bool {
    approval_stands(note, Approver::CustomerServiceManager)
        && approval_stands(note, Approver::FinanceManager)
}

/// Records what was spent: only after both approvals, within the budget.
pub fn record_spending(note: &mut ReceptionNote, spent_fen: i64) -> Result<()> {
    let approved = expense_approved(note);
    let expense = note.expense.as_mut().filter(|_| approved).ok_or_else(|| {
        Error::invalid(
            "expense",
            "费用须经客服经理和财务经理批准 / the expense needs both managers' approval",
        )
    })?;
    if spent_fen < 0 || spent_fen > expense.budget_fen {
        return Err(Error::invalid(
            "expense.spent_fen",
            "支出超出预算 / spending exceeds the budget",
        ));
    }
    expense.spent_fen = Some(spent_fen);
    Ok(())
}

/// When the receipts are due, once the reception is held.
pub fn receipts_due_at(note: &ReceptionNote) -> Option<DateTime<Utc>> {
    note.held_at.map(|h| h + RECEIPTS_DUE_AFTER)
}

/// Records the receipts; refused after the 15-day limit.
pub fn submit_receipts(note: &mut ReceptionNote, act: &Action) -> Result<()> {
    let due = receipts_due_at(note).ok_or_else(|| {
        Error::invalid("status", "接待尚未举行 / the reception has not been held")
    })?;
    if act.at > due {
        return Err(Error::invalid(
            "expense.receipts_submitted_at",
            "已超过接待后 15 天的报销期限，请联系财务 / past the 15-day limit for receipts: contact finance",
        ));
    }
    let expense = note
        .expense
        .as_mut()
        .ok_or_else(|| Error::invalid("expense", "没有费用申请 / there is no expense request"))?;
    expense.receipts_submitted_at = Some(act.at);
    Ok(())
}

#[cfg(test)]
#[path = "reception_tests.rs"]
mod tests;
