//! The reception expense (接待费用) — seed 001 §2: apply → customer-service manager →
//! finance manager → spending recorded → receipts within 15 days → reimbursement by finance.
//!
//! - The applicant writes what she asks for (`amount_fen`) and what for; the **budget** comes
//!   from the approvers: the customer-service manager sets it when she approves (at most the
//!   amount asked, by default exactly that), the finance manager approves or rejects it. Neither
//!   approver may be the applicant or the host.
//! - At most one request per applicant per company-local calendar month (counting requests on
//!   other receptions this device knows).
//! - Spending is recorded once both approvals stand, after the reception was held. Spending
//!   above the budget is **recorded, not refused**: the part above the budget is marked
//!   `over_budget_fen`, not reimbursed and borne by the staff member (seed 001 §2 3(7)②: the
//!   customer-service department "cannot refund, or deducts accordingly").
//! - Receipts are due 15 calendar days after the reception; finance refuses later receipts, so
//!   the rule refuses them too (the receipts queue shows who owes them before that).
//! - Finance reimburses the spending within the budget once the receipts are in.
//! - An approval records what it approved (`Approval::covers`, `access::decision_covers`); one
//!   whose application changed since (a concurrent offline edit) is void and never counts.

use chrono::{DateTime, Datelike, TimeDelta, Utc};

use super::Action;
use crate::access;
use crate::calendar::WorkCalendar;
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::input::require_text;
use crate::model::{Approval, ExpenseApplication, ReceptionNote, ReceptionStatus, Reimbursement};
use crate::store::{DeviceStore, Filter};

/// Receipts are due this long after the reception.
pub const RECEIPTS_DUE_AFTER: TimeDelta = TimeDelta::days(15);

/// What an expense application asks for; the budget is the approvers' to set.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpenseRequest {
    pub amount_fen: i64,
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
    if req.amount_fen <= 0 {
        return Err(Error::invalid(
            "expense.amount_fen",
            "申请金额须大于零 / the amount must be positive",
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

impl Approver {
    /// Where the approver's decision sits in the record.
    pub fn path(self) -> &'static str {
        match self {
            Approver::CustomerServiceManager => "/expense/cs_manager",
            Approver::FinanceManager => "/expense/finance_manager",
        }
    }
}

/// Records one approver's decision; the customer-service manager approving sets the budget to
/// the amount asked (see [`approve_with_budget`] for a smaller one).
pub fn decide_expense(
    note: &mut ReceptionNote,
    who: Approver,
    approved: bool,
    comment: &str,
    act: &Action,
) -> Result<()> {
    decide(note, who, approved, None, comment, act)
}

/// The customer-service manager approves with a budget of `budget_fen` (at most the amount
/// asked).
pub fn approve_with_budget(
    note: &mut ReceptionNote,
    budget_fen: i64,
    comment: &str,
    act: &Action,
) -> Result<()> {
    decide(
        note,
        Approver::CustomerServiceManager,
        true,
        Some(budget_fen),
        comment,
        act,
    )
}

fn decide(
    note: &mut ReceptionNote,
    who: Approver,
    approved: bool,
    budget_fen: Option<i64>,
    comment: &str,
    act: &Action,
) -> Result<()> {
    check_decider(note, who, act)?;
    if let Some(e) = note.expense.as_mut()
        && who == Approver::CustomerServiceManager
    {
        // Approving sets the budget; a rejection leaves it as it was (it grants nothing).
        if approved {
            let budget = budget_fen.unwrap_or(e.amount_fen);
            if budget <= 0 || budget > e.amount_fen {
                return Err(Error::invalid(
                    "expense.budget_fen",
                    "预算须大于零且不超过申请金额 / the budget must be positive and at most the amount asked",
                ));
            }
            e.budget_fen = budget;
        }
        // A new first decision starts the second one afresh.
        e.finance_manager = None;
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

/// The checks before a decision: an application awaiting it, not the approver's own, before
/// the visit, and the customer-service manager first.
fn check_decider(note: &ReceptionNote, who: Approver, act: &Action) -> Result<()> {
    let expense = note
        .expense
        .as_ref()
        .ok_or_else(|| Error::invalid("expense", "没有费用申请 / there is no expense request"))?;
    if expense.applied_by == act.by || note.host == act.by {
        return Err(Error::invalid(
            "expense",
            "申请人不能审批自己的申请 / an applicant cannot approve their own request",
        ));
    }
    if note.status != ReceptionStatus::Planned || expense.spent_fen.is_some() {
        return Err(Error::invalid(
            "expense",
            "接待后不能再审批费用 / the expense is decided before the reception",
        ));
    }
    if who == Approver::FinanceManager && !approval_stands(note, Approver::CustomerServiceManager) {
        return Err(Error::invalid(
            "expense.finance_manager",
            "须先经客服经理批准 / the customer-service manager approves first",
        ));
    }
    Ok(())
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

/// Records what was spent, once, after the reception and both approvals. Spending above the
/// budget is recorded; the part above it is marked as borne by the staff member.
pub fn record_spending(note: &mut ReceptionNote, spent_fen: i64) -> Result<()> {
    let approved = expense_approved(note);
    if note.status != ReceptionStatus::Held {
        return Err(Error::invalid(
            "status",
            "接待举行后才能记录支出 / spending is recorded after the reception was held",
        ));
    }
    let expense = note.expense.as_mut().filter(|_| approved).ok_or_else(|| {
        Error::invalid(
            "expense",
            "费用须经客服经理和财务经理批准 / the expense needs both managers' approval",
        )
    })?;
    if expense.spent_fen.is_some() {
        return Err(Error::invalid(
            "expense.spent_fen",
            "支出已记录 / the spending is already recorded",
        ));
    }
    if spent_fen < 0 {
        return Err(Error::invalid(
            "expense.spent_fen",
            "支出不能为负数 / spending cannot be negative",
        ));
    }
    expense.spent_fen = Some(spent_fen);
    expense.over_budget_fen = (spent_fen - expense.budget_fen).max(0);
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
    if expense.spent_fen.is_none() || expense.receipts_submitted_at.is_some() {
        return Err(Error::invalid(
            "expense.receipts_submitted_at",
            "须先记录支出，票据只提交一次 / record the spending first; receipts are submitted once",
        ));
    }
    expense.receipts_submitted_at = Some(act.at);
    Ok(())
}

/// What finance pays back: the spending within the budget.
pub fn reimbursable_fen(expense: &ExpenseApplication) -> i64 {
    expense.spent_fen.unwrap_or(0) - expense.over_budget_fen
}

/// Finance reimburses the spending within the budget, once the receipts are in.
pub fn reimburse(note: &mut ReceptionNote, act: &Action) -> Result<()> {
    let approved = expense_approved(note);
    let host = note.host.clone();
    let expense = note
        .expense
        .as_mut()
        .ok_or_else(|| Error::invalid("expense", "没有费用申请 / there is no expense request"))?;
    if expense.applied_by == act.by || host == act.by {
        return Err(Error::invalid(
            "expense.reimbursement",
            "不能为自己的申请报销 / you cannot reimburse your own request",
        ));
    }
    if !approved || expense.receipts_submitted_at.is_none() || expense.reimbursement.is_some() {
        return Err(Error::invalid(
            "expense.reimbursement",
            "须经两级批准并提交票据后报销一次 / reimbursed once, after both approvals and the receipts",
        ));
    }
    expense.reimbursement = Some(Reimbursement {
        by: act.by.clone(),
        at: act.at,
        amount_fen: reimbursable_fen(expense),
    });
    Ok(())
}
