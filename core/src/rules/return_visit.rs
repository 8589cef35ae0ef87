//! Face-to-face return visits (面对面回访) — seed 001 §7, seed 002: the report, its review and
//! the visit's expense. Proposals are in [`super::return_visit_proposals`].
//!
//! - The report is filled in "the day after the visit" (回访第二天, seed 001 §7.5(1)): the
//!   deadline is the end of the **next calendar day** after the visit, in the company's zone. The
//!   seed counts calendar days, not working days; a Friday visit is reported on Saturday (a rep
//!   who visits on Friday is expected to write it up while it is fresh, from the phone).
//! - The supervisor reviews a filed report and must write guidance; nobody reviews their own.
//! - Satisfaction scores product, service and environment from 1 to 5 (seed 001 §5).
//! - The company materials the rep carried go back to the company, each recorded as returned or
//!   explained (seed 001 §7.4(3)); filing the report does not wait for them (the report is due
//!   the next day, the materials may come back later).
//! - The visit's expense is reimbursed after a supervisor (not the rep) signs it, within a
//!   1,000-yuan limit (seed 001 §7.7).
//!
//! Each function checks, then changes the typed record; the lifecycle judge
//! (`lifecycle::return_visit`) checks the same steps on the device and on the server.

use chrono::{DateTime, Days, Utc};

use super::Action;
use crate::calendar::WorkCalendar;
use crate::error::{Error, Result};
use crate::input::require_text;
use crate::model::{ReturnVisitReport, Review, Satisfaction};

/// The per-visit expense limit (configurable by the company later; 1,000 yuan by default).
pub const VISIT_EXPENSE_LIMIT_FEN: i64 = 100_000;

/// When the report is due: the end of the calendar day after the visit (回访第二天).
pub fn report_due_at(report: &ReturnVisitReport, cal: &WorkCalendar) -> Option<DateTime<Utc>> {
    let next_day = report.visited_on?.checked_add_days(Days::new(1))?;
    Some(cal.end_of_day(next_day))
}

/// Whether the report is (or was) late.
pub fn report_is_late(report: &ReturnVisitReport, now: DateTime<Utc>, cal: &WorkCalendar) -> bool {
    let Some(due) = report_due_at(report, cal) else {
        return false;
    };
    report.filed_at.unwrap_or(now) > due
}

/// Checks satisfaction scores (1–5 each); `Err` names the item.
pub fn check_satisfaction(s: &Satisfaction) -> Result<()> {
    for (field, v) in [
        ("product", s.product),
        ("service", s.service),
        ("environment", s.environment),
    ] {
        if !(1..=5).contains(&v) {
            return Err(Error::invalid(
                format!("satisfaction.{field}"),
                "满意度评分须为 1 到 5 / satisfaction scores are 1 to 5",
            ));
        }
    }
    Ok(())
}

/// Files the report (a late report is still filed; the deadline query shows it was late).
pub fn file(report: &mut ReturnVisitReport, act: &Action) -> Result<()> {
    if report.filed_at.is_some() {
        return Err(Error::invalid(
            "filed_at",
            "报告已提交 / the report is already filed",
        ));
    }
    if report.visited_on.is_none() {
        return Err(Error::invalid(
            "visited_on",
            "须填写回访日期 / the visit date is required",
        ));
    }
    if let Some(s) = &report.satisfaction {
        check_satisfaction(s)?;
    }
    report.filed_at = Some(act.at);
    Ok(())
}

/// The supervisor's review, with guidance.
pub fn review(report: &mut ReturnVisitReport, guidance: &str, act: &Action) -> Result<()> {
    if report.filed_at.is_none() {
        return Err(Error::invalid(
            "review",
            "报告尚未提交 / the report has not been filed",
        ));
    }
    if report.rep == act.by || report.meta.owner == act.by {
        return Err(Error::invalid(
            "review",
            "不能审核自己的报告 / nobody reviews their own report",
        ));
    }
    let guidance = require_text(
        "review.guidance",
        guidance,
        "主管指导意见",
        "the supervisor's guidance",
    )?;
    report.review = Some(Review {
        by: act.by.clone(),
        at: act.at,
        guidance,
    });
    Ok(())
}

/// The supervisor signs the visit's expenses; only then are they reimbursable (seed 001 §7).
pub fn sign_expense(report: &mut ReturnVisitReport, act: &Action) -> Result<()> {
    if report.rep == act.by || report.meta.owner == act.by {
        return Err(Error::invalid(
            "expense",
            "不能签批自己的费用 / nobody signs their own expenses",
        ));
    }
    let expense = report
        .expense
        .as_mut()
        .ok_or_else(|| Error::invalid("expense", "没有回访费用 / there is no expense"))?;
    if expense.signed_by.is_some() {
        return Err(Error::invalid(
            "expense.signed_by",
            "费用已签批 / the expense is already signed",
        ));
    }
    if expense.amount_fen <= 0 || expense.amount_fen > VISIT_EXPENSE_LIMIT_FEN {
        return Err(Error::invalid(
            "expense.amount_fen",
            "费用须大于零且不超过限额 / the amount must be positive and within the limit",
        ));
    }
    expense.signed_by = Some(act.by.clone());
    expense.signed_at = Some(act.at);
    Ok(())
}

/// Records that a carried material is back with the company, or why it cannot be (`reason`
/// non-empty: reported to the company instead).
pub fn return_material(
    report: &mut ReturnVisitReport,
    material_id: &str,
    reason: &str,
    act: &Action,
) -> Result<()> {
    let m = report
        .materials
        .iter_mut()
        .find(|m| m.id == material_id)
        .ok_or_else(|| Error::invalid("materials", "没有这项资料 / no such material"))?;
    if m.returned_at.is_some() || !m.not_returned_reason.is_empty() {
        return Err(Error::invalid(
            "materials",
            "这项资料已登记归还 / this material is already recorded",
        ));
    }
    match reason.trim() {
        "" => m.returned_at = Some(act.at),
        why => m.not_returned_reason = why.to_owned(),
    }
    Ok(())
}

#[cfg(test)]
#[path = "return_visit_tests.rs"]
mod tests;
