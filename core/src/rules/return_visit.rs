//! Face-to-face return visits (面对面回访) — seed 001 §4, §5, §7; seed 002.
//!
//! - The report is due "by the next day". A supervisor does not expect a report on Saturday for
//!   a Friday visit, so the deadline is the end of the **next working day** after the visit, in
//!   the company's zone and calendar.
//! - The supervisor reviews a filed report and must write guidance; nobody reviews their own.
//! - Satisfaction scores product, service and environment from 1 to 5.
//! - Customer proposals are answered within 10 days (target) and at most 15 calendar days
//!   (30 for complex ones) after they were received; the answer is accepted, kept for later or
//!   rejected, with a written answer. "Nearing the deadline" in the rep's day means the target
//!   has passed or the limit is at most 3 days away.

use chrono::{DateTime, TimeDelta, Utc};

use super::Action;
use crate::calendar::WorkCalendar;
use crate::error::{Error, Result};
use crate::input::require_text;
use crate::model::{Proposal, ProposalOutcome, ReturnVisitReport, Review, Satisfaction};

/// Answer target for a proposal.
pub const PROPOSAL_TARGET: TimeDelta = TimeDelta::days(10);
/// Answer limit for an ordinary proposal.
pub const PROPOSAL_LIMIT: TimeDelta = TimeDelta::days(15);
/// Answer limit for a complex proposal.
pub const COMPLEX_PROPOSAL_LIMIT: TimeDelta = TimeDelta::days(30);

/// When the report is due: the end of the next working day after the visit.
pub fn report_due_at(report: &ReturnVisitReport, cal: &WorkCalendar) -> Option<DateTime<Utc>> {
    let visited = report.visited_on?;
    Some(cal.end_of_day(cal.add_working_days(visited, 1)))
}

/// Whether the report is (or was) late.
pub fn report_is_late(report: &ReturnVisitReport, now: DateTime<Utc>, cal: &WorkCalendar) -> bool {
    let Some(due) = report_due_at(report, cal) else {
        return false;
    };
    report.filed_at.unwrap_or(now) > due
}

/// Checks satisfaction scores (1–5 each).
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

/// Records a proposal the customer made.
pub fn add_proposal(
    report: &mut ReturnVisitReport,
    text: &str,
    complex: bool,
    act: &Action,
) -> Result<()> {
    let text = require_text("proposal.text", text, "提案内容", "the proposal")?;
    report.proposals.push(Proposal {
        id: act.entry_id.clone(),
        text,
        complex,
        received_at: act.at,
        ..Proposal::default()
    });
    Ok(())
}

/// The answer target and limit of a proposal.
pub fn proposal_deadlines(p: &Proposal) -> (DateTime<Utc>, DateTime<Utc>) {
    let limit = if p.complex {
        COMPLEX_PROPOSAL_LIMIT
    } else {
        PROPOSAL_LIMIT
    };
    (p.received_at + PROPOSAL_TARGET, p.received_at + limit)
}

/// Answers a proposal: accepted, kept for later, or rejected, with the answer written.
pub fn answer_proposal(
    report: &mut ReturnVisitReport,
    proposal_id: &str,
    outcome: ProposalOutcome,
    answer: &str,
    act: &Action,
) -> Result<()> {
    if matches!(
        outcome,
        ProposalOutcome::Pending | ProposalOutcome::Other(_)
    ) {
        return Err(Error::invalid(
            "proposal.outcome",
            "答复须为采纳、保留或不采纳 / the outcome is accepted, kept or rejected",
        ));
    }
    let answer = require_text("proposal.answer", answer, "答复内容", "the answer")?;
    let p = report
        .proposals
        .iter_mut()
        .find(|p| p.id == proposal_id)
        .ok_or_else(|| Error::invalid("proposal", "没有这条提案 / no such proposal"))?;
    if p.outcome != ProposalOutcome::Pending {
        return Err(Error::invalid(
            "proposal",
            "提案已答复 / the proposal is already answered",
        ));
    }
    p.outcome = outcome;
    p.answer = answer;
    p.answered_at = Some(act.at);
    p.answered_by = Some(act.by.clone());
    Ok(())
}

#[cfg(test)]
#[path = "return_visit_tests.rs"]
mod tests;
