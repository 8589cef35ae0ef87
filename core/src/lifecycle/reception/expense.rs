//! The reception expense's lifecycle (seed 001 §2), one step per change, in order: apply →
//! customer-service manager's decision → finance manager's decision → spending recorded →
//! receipts submitted → reimbursed. Rules, each named in its refusal:
//!
//! - `reception.expense_by_applicant`: the applicant applies in her own name, while the
//!   reception is planned and before the visit (`reception.expense_before_visit`); `applied_at`
//!   is a claimed time; the applicant and the time never change
//!   (`reception.expense_applicant_fixed`). She may amend the amount and purpose only while no
//!   decision stands (`reception.expense_request_amended`).
//! - `reception.budget_from_approvers`: the applicant writes the amount asked, never the budget;
//!   the budget is set with the customer-service manager's approval (positive, at most the
//!   amount asked) and changes only with a new approval of hers; a rejection leaves it. The
//!   write rule table gives the field to the customer-service manager as well.
//! - `reception.expense_cs_manager_decides` / `reception.expense_finance_decides`: each
//!   decision by its role, in the decider's own name, at a claimed time, before the reception;
//!   `reception.expense_cs_first`: finance decides on an approved application only.
//! - `reception.expense_no_self_approval`: no decision (nor the reimbursement) by the applicant
//!   or the host.
//! - `reception.spending_recorded`: once, after the reception was held, with both approvals
//!   standing, by the applicant or the host; `reception.overspend_borne_by_staff`: the part
//!   above the budget is marked `over_budget_fen` (recorded, not refused; not reimbursed).
//! - `reception.receipts_submitted`: after the spending, once, by the applicant or the host;
//!   the time is claimed (no back-dating) and within the 15 days after the reception
//!   (`reception.receipts_within_15_days`).
//! - `reception.reimbursed_by_finance`: the finance manager, in her own name, after the
//!   receipts, paying back exactly the spending within the budget; afterwards the expense is
//!   closed (`reception.expense_closed`).
//! - `reception.expense_kept`: an application may be withdrawn only while nothing was spent;
//!   `reception.expense_steps_in_order`: one step at a time, in order.

use super::super::{Context, Verdict, Violation, claimed_time};
use crate::access::Role;
use crate::model::{Approval, ExpenseApplication, ReceptionNote, ReceptionStatus};
use crate::rules::reception::{RECEIPTS_DUE_AFTER, expense_approved, reimbursable_fen};

fn refuse(rule: &'static str, field: &str, reason: &str) -> Verdict {
    Err(Violation::new(rule, field, reason))
}

pub(super) fn judge(b: &ReceptionNote, a: &ReceptionNote, ctx: &Context<'_>) -> Verdict {
    match (&b.expense, &a.expense) {
        (None, None) => Ok(()),
        (Some(be), None) if be.spent_fen.is_none() => Ok(()),
        (Some(_), None) => refuse(
            "reception.expense_kept",
            "/expense",
            "已记录支出的费用申请不能删除 / an expense with recorded spending cannot be removed",
        ),
        (None, Some(ae)) => applied(a, ae, ctx),
        (Some(be), Some(ae)) if be == ae => Ok(()),
        (Some(be), Some(ae)) => stepped(be, a, ae, ctx),
    }
}

fn applied(a: &ReceptionNote, e: &ExpenseApplication, ctx: &Context<'_>) -> Verdict {
    if &e.applied_by != ctx.user {
        return refuse(
            "reception.expense_by_applicant",
            "/expense/applied_by",
            "费用申请人必须是您本人 / the applicant must be you",
        );
    }
    before_visit(a, e)?;
    claimed_time(
        ctx,
        "reception.expense_by_applicant",
        "/expense/applied_at",
        e.applied_at,
    )?;
    request(e)?;
    if e.budget_fen != 0 {
        return no_own_budget();
    }
    let fresh = ExpenseApplication {
        amount_fen: e.amount_fen,
        purpose: e.purpose.clone(),
        applied_by: e.applied_by.clone(),
        applied_at: e.applied_at,
        ..ExpenseApplication::default()
    };
    if e != &fresh {
        return out_of_order();
    }
    Ok(())
}

fn before_visit(a: &ReceptionNote, e: &ExpenseApplication) -> Verdict {
    if a.status != ReceptionStatus::Planned || a.visit_at.is_some_and(|v| e.applied_at >= v) {
        return refuse(
            "reception.expense_before_visit",
            "/expense",
            "费用须在来访前申请 / expenses are applied for before the visit",
        );
    }
    Ok(())
}

fn request(e: &ExpenseApplication) -> Verdict {
    if e.amount_fen <= 0 || e.purpose.trim().is_empty() {
        return refuse(
            "reception.expense_request_amended",
            "/expense/amount_fen",
            "申请金额须大于零并写明用途 / the amount must be positive, with its purpose",
        );
    }
    Ok(())
}

fn no_own_budget() -> Verdict {
    refuse(
        "reception.budget_from_approvers",
        "/expense/budget_fen",
        "预算由审批人核定，申请人只填写申请金额 / the approvers set the budget; the applicant writes only the amount asked",
    )
}

fn out_of_order() -> Verdict {
    refuse(
        "reception.expense_steps_in_order",
        "/expense",
        "费用须逐步办理：申请、客服经理审批、财务经理审批、记录支出、提交票据、报销 / one step at a time: apply, customer-service manager, finance manager, spending, receipts, reimbursement",
    )
}

/// One change of an existing application.
fn stepped(
    be: &ExpenseApplication,
    a: &ReceptionNote,
    ae: &ExpenseApplication,
    ctx: &Context<'_>,
) -> Verdict {
    if be.reimbursement.is_some() {
        return refuse(
            "reception.expense_closed",
            "/expense",
            "已报销的费用不能再更改 / a reimbursed expense cannot change",
        );
    }
    if be.applied_by != ae.applied_by || be.applied_at != ae.applied_at {
        return refuse(
            "reception.expense_applicant_fixed",
            "/expense/applied_by",
            "申请人和申请时间不能更改 / the applicant and the time applied cannot change",
        );
    }
    amended(be, a, ae, ctx)?;
    decisions(be, a, ae, ctx)?;
    spending(be, a, ae, ctx)?;
    receipts(be, a, ae, ctx)?;
    reimbursement(be, a, ae, ctx)
}

fn amended(
    be: &ExpenseApplication,
    a: &ReceptionNote,
    ae: &ExpenseApplication,
    ctx: &Context<'_>,
) -> Verdict {
    if be.amount_fen == ae.amount_fen && be.purpose == ae.purpose {
        return Ok(());
    }
    let undecided = ae.cs_manager.is_none() && ae.finance_manager.is_none();
    if &ae.applied_by != ctx.user || !undecided || a.status != ReceptionStatus::Planned {
        return refuse(
            "reception.expense_request_amended",
            "/expense/amount_fen",
            "只有申请人可在审批前修改申请（须撤回已有审批）/ only the applicant amends the request, before any decision (withdraw the decisions first)",
        );
    }
    request(ae)
}

fn decisions(
    be: &ExpenseApplication,
    a: &ReceptionNote,
    ae: &ExpenseApplication,
    ctx: &Context<'_>,
) -> Verdict {
    let cs_written = ae.cs_manager.is_some() && be.cs_manager != ae.cs_manager;
    if be.budget_fen != ae.budget_fen
        && !cs_written
        && !(ae.budget_fen == 0 && ae.cs_manager.is_none())
    {
        return no_own_budget();
    }
    let spent = ae.spent_fen.is_some();
    let withdrawn = (be.cs_manager.is_some() && ae.cs_manager.is_none())
        || (be.finance_manager.is_some() && ae.finance_manager.is_none());
    if withdrawn && spent {
        return refuse(
            "reception.expense_kept",
            "/expense",
            "已记录支出后不能撤回审批 / decisions cannot be withdrawn once money was spent",
        );
    }
    if let Some(d) = ae.cs_manager.as_ref().filter(|_| cs_written) {
        let rule = "reception.expense_cs_manager_decides";
        decider(
            d,
            a,
            ae,
            ctx,
            Role::CustomerServiceManager,
            rule,
            "/expense/cs_manager",
        )?;
        if d.approved && (ae.budget_fen <= 0 || ae.budget_fen > ae.amount_fen) {
            return refuse(
                "reception.budget_from_approvers",
                "/expense/budget_fen",
                "批准时预算须大于零且不超过申请金额 / approving sets a positive budget, at most the amount asked",
            );
        }
    }
    let fin_written = ae.finance_manager.is_some() && be.finance_manager != ae.finance_manager;
    if let Some(d) = ae.finance_manager.as_ref().filter(|_| fin_written) {
        let rule = "reception.expense_finance_decides";
        decider(
            d,
            a,
            ae,
            ctx,
            Role::FinanceManager,
            rule,
            "/expense/finance_manager",
        )?;
        if !ae.cs_manager.as_ref().is_some_and(|c| c.approved) {
            return refuse(
                "reception.expense_cs_first",
                "/expense/finance_manager",
                "须先经客服经理批准 / the customer-service manager approves first",
            );
        }
    }
    Ok(())
}

/// A decision written by this change: by its role, in the decider's name, not her own
/// application, before the reception and any spending, at a claimed time.
fn decider(
    d: &Approval,
    a: &ReceptionNote,
    ae: &ExpenseApplication,
    ctx: &Context<'_>,
    role: Role,
    rule: &'static str,
    field: &str,
) -> Verdict {
    if !ctx.role_in(&[role]) || &d.by != ctx.user {
        return refuse(
            rule,
            &format!("{field}/by"),
            "此审批须由对应经理本人作出 / this decision is taken by its manager, in her own name",
        );
    }
    if d.by == ae.applied_by || d.by == a.host {
        return refuse(
            "reception.expense_no_self_approval",
            &format!("{field}/by"),
            "申请人不能审批自己的申请 / an applicant cannot approve their own request",
        );
    }
    if a.status != ReceptionStatus::Planned || ae.spent_fen.is_some() {
        return refuse(
            rule,
            field,
            "接待后不能再审批费用 / the expense is decided before the reception",
        );
    }
    claimed_time(ctx, rule, &format!("{field}/at"), d.at)
}

/// Whether the actor is the applicant or the host.
fn applicant_or_host(a: &ReceptionNote, ae: &ExpenseApplication, ctx: &Context<'_>) -> bool {
    ctx.user == &ae.applied_by || ctx.user == &a.host
}

fn spending(
    be: &ExpenseApplication,
    a: &ReceptionNote,
    ae: &ExpenseApplication,
    ctx: &Context<'_>,
) -> Verdict {
    let expected_over = ae.spent_fen.map_or(0, |s| (s - ae.budget_fen).max(0));
    if ae.over_budget_fen != expected_over {
        return refuse(
            "reception.overspend_borne_by_staff",
            "/expense/over_budget_fen",
            "超出预算的部分须如实记为个人承担 / the part above the budget is marked as borne by the staff member",
        );
    }
    match (be.spent_fen, ae.spent_fen) {
        (x, y) if x == y => Ok(()),
        (None, Some(_)) => {
            let ready = a.status == ReceptionStatus::Held && expense_approved(a);
            if !ready || !applicant_or_host(a, ae, ctx) {
                return refuse(
                    "reception.spending_recorded",
                    "/expense/spent_fen",
                    "接待举行且两级批准后，由申请人或接待人员记录支出 / the applicant or host records the spending after the reception, with both approvals",
                );
            }
            Ok(())
        }
        _ => refuse(
            "reception.spending_recorded",
            "/expense/spent_fen",
            "支出只记录一次，不能更改 / the spending is recorded once and cannot change",
        ),
    }
}

fn receipts(
    be: &ExpenseApplication,
    a: &ReceptionNote,
    ae: &ExpenseApplication,
    ctx: &Context<'_>,
) -> Verdict {
    const RULE: &str = "reception.receipts_submitted";
    const FIELD: &str = "/expense/receipts_submitted_at";
    match (be.receipts_submitted_at, ae.receipts_submitted_at) {
        (x, y) if x == y => Ok(()),
        (None, Some(at)) => {
            if ae.spent_fen.is_none() || !applicant_or_host(a, ae, ctx) {
                return refuse(
                    RULE,
                    FIELD,
                    "记录支出后，由申请人或接待人员提交票据 / the applicant or host submits the receipts after the spending",
                );
            }
            claimed_time(ctx, RULE, FIELD, at)?;
            if a.held_at
                .is_none_or(|h| at < h || at > h + RECEIPTS_DUE_AFTER)
            {
                return refuse(
                    "reception.receipts_within_15_days",
                    FIELD,
                    "票据须在接待后 15 天内提交 / receipts are submitted within 15 days after the reception",
                );
            }
            Ok(())
        }
        _ => refuse(
            RULE,
            FIELD,
            "票据提交时间不能更改 / the time receipts were submitted cannot change",
        ),
    }
}

fn reimbursement(
    be: &ExpenseApplication,
    a: &ReceptionNote,
    ae: &ExpenseApplication,
    ctx: &Context<'_>,
) -> Verdict {
    const RULE: &str = "reception.reimbursed_by_finance";
    const FIELD: &str = "/expense/reimbursement";
    let Some(r) = ae
        .reimbursement
        .as_ref()
        .filter(|_| be.reimbursement.is_none())
    else {
        return Ok(()); // unchanged: a closed expense was refused before
    };
    if !ctx.role_in(&[Role::FinanceManager]) || &r.by != ctx.user {
        return refuse(
            RULE,
            "/expense/reimbursement/by",
            "报销须由财务经理本人办理 / finance reimburses, in the finance manager's own name",
        );
    }
    if r.by == ae.applied_by || r.by == a.host {
        return refuse(
            "reception.expense_no_self_approval",
            "/expense/reimbursement/by",
            "不能为自己的申请报销 / you cannot reimburse your own request",
        );
    }
    if be.receipts_submitted_at.is_none() || !expense_approved(a) {
        return refuse(
            RULE,
            FIELD,
            "须经两级批准并提交票据后报销 / reimbursed after both approvals and the receipts",
        );
    }
    if r.amount_fen != reimbursable_fen(ae) {
        return refuse(
            RULE,
            "/expense/reimbursement/amount_fen",
            "报销金额须为预算内的实际支出 / the amount reimbursed is the spending within the budget",
        );
    }
    claimed_time(ctx, RULE, "/expense/reimbursement/at", r.at)
}
