//! Customer proposals (客户提案) — seed 001 §4: taken in person, by phone or by e-mail, recorded,
//! routed to the department that handles them, and answered by that department's manager.
//!
//! - **Deadlines** (§4.5(2)): answered within 10–15 days: the target is 10 days, the limit 15;
//!   with the vice-president's approval the limit is 20 days (an extension, recorded by the
//!   routed manager before the 15 days run out); a complex proposal (重大、复杂) has 30 days.
//!   "Nearing the deadline" in the rep's day means the target has passed or the limit is at most
//!   3 days away.
//! - **Outcome** (§4.5(3)): accepted, kept for later (暂时保留) or rejected, with a written answer.
//! - **Who answers**: the seed has the department study the proposal and its manager sign the
//!   result. Fieldbook's departments and their managers, as a sales-operations manager would
//!   route them:
//!
//!   | department | what goes there | answered by |
//!   |---|---|---|
//!   | `marketing` (营销部) | products, prices, promotions, the sales teams | marketing manager |
//!   | `customer_service` (客服部) | service, delivery, installation, after-sales, complaints | customer-service manager |
//!   | `finance` (财务部) | invoices, payment terms, billing | finance manager |
//!
//!   The rep who takes the proposal (or her supervisor) routes it, as the seed's customer-service
//!   representative tells the customer which department is responsible (§4.4(4)); the
//!   customer-service manager, who dispatches proposals, may route or re-route any pending one;
//!   a routed manager may pass it on to another department.

use chrono::{DateTime, TimeDelta, Utc};

use super::Action;
use crate::access::Role;
use crate::error::{Error, Result};
use crate::input::require_text;
use crate::model::{
    Department, Proposal, ProposalChannel, ProposalExtension, ProposalOutcome, ReturnVisitReport,
};

/// Answer target for a proposal.
pub const PROPOSAL_TARGET: TimeDelta = TimeDelta::days(10);
/// Answer limit for an ordinary proposal.
pub const PROPOSAL_LIMIT: TimeDelta = TimeDelta::days(15);
/// Answer limit with the vice-president's approval.
pub const EXTENDED_PROPOSAL_LIMIT: TimeDelta = TimeDelta::days(20);
/// Answer limit for a complex proposal.
pub const COMPLEX_PROPOSAL_LIMIT: TimeDelta = TimeDelta::days(30);

/// The manager who answers proposals routed to `department` (`None`: a department this build
/// does not know, which nobody answers until it is re-routed).
pub fn answering_role(department: &Department) -> Option<Role> {
    match department {
        Department::Marketing => Some(Role::MarketingManager),
        Department::CustomerService => Some(Role::CustomerServiceManager),
        Department::Finance => Some(Role::FinanceManager),
        Department::Other(_) => None,
    }
}

/// A proposal as the customer made it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProposal {
    pub text: String,
    pub complex: bool,
    pub channel: ProposalChannel,
    /// Routed at once, when the rep knows the department.
    pub department: Option<Department>,
}

/// Records a proposal the customer made.
pub fn add_proposal(report: &mut ReturnVisitReport, new: NewProposal, act: &Action) -> Result<()> {
    let text = require_text("proposal.text", &new.text, "提案内容", "the proposal")?;
    let routed = new.department.is_some();
    report.proposals.push(Proposal {
        id: act.entry_id.clone(),
        text,
        complex: new.complex,
        received_at: act.at,
        channel: new.channel,
        department: new.department,
        routed_by: routed.then(|| act.by.clone()),
        routed_at: routed.then_some(act.at),
        ..Proposal::default()
    });
    Ok(())
}

/// The answer target and limit of a proposal.
pub fn proposal_deadlines(p: &Proposal) -> (DateTime<Utc>, DateTime<Utc>) {
    let limit = if p.complex {
        COMPLEX_PROPOSAL_LIMIT
    } else if p.extension.is_some() {
        EXTENDED_PROPOSAL_LIMIT
    } else {
        PROPOSAL_LIMIT
    };
    (p.received_at + PROPOSAL_TARGET, p.received_at + limit)
}

fn pending<'a>(report: &'a mut ReturnVisitReport, id: &str) -> Result<&'a mut Proposal> {
    let p = report
        .proposals
        .iter_mut()
        .find(|p| p.id == id)
        .ok_or_else(|| Error::invalid("proposal", "没有这条提案 / no such proposal"))?;
    if p.outcome != ProposalOutcome::Pending {
        return Err(Error::invalid(
            "proposal",
            "提案已答复 / the proposal is already answered",
        ));
    }
    Ok(p)
}

/// Routes (or re-routes) a pending proposal to a department.
pub fn route_proposal(
    report: &mut ReturnVisitReport,
    proposal_id: &str,
    department: Department,
    act: &Action,
) -> Result<()> {
    if answering_role(&department).is_none() {
        return Err(Error::invalid(
            "proposal.department",
            "未知的部门 / unknown department",
        ));
    }
    let p = pending(report, proposal_id)?;
    p.department = Some(department);
    p.routed_by = Some(act.by.clone());
    p.routed_at = Some(act.at);
    Ok(())
}

/// Extends a pending proposal's limit to 20 days with the vice-president's approval.
pub fn extend_proposal(
    report: &mut ReturnVisitReport,
    proposal_id: &str,
    vp_approval: &str,
    act: &Action,
) -> Result<()> {
    let vp_approval = require_text(
        "proposal.extension.vp_approval",
        vp_approval,
        "副总裁的批准",
        "the vice-president's approval",
    )?;
    let p = pending(report, proposal_id)?;
    if p.extension.is_some() || p.complex {
        return Err(Error::invalid(
            "proposal.extension",
            "已延期或为复杂提案（30天） / already extended, or complex (30 days)",
        ));
    }
    if act.at > p.received_at + PROPOSAL_LIMIT {
        return Err(Error::invalid(
            "proposal.extension",
            "15天期限已过，不能再延期 / the 15 days have passed; too late to extend",
        ));
    }
    p.extension = Some(ProposalExtension {
        by: act.by.clone(),
        at: act.at,
        vp_approval,
    });
    Ok(())
}

/// Answers a proposal: accepted, kept for later, or rejected, with the answer written. It must
/// have been routed; who may answer is the judge's (the routed department's manager).
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
    let p = pending(report, proposal_id)?;
    if p.department.is_none() {
        return Err(Error::invalid(
            "proposal.department",
            "提案尚未分派部门 / the proposal has not been routed to a department",
        ));
    }
    p.outcome = outcome;
    p.answer = answer;
    p.answered_at = Some(act.at);
    p.answered_by = Some(act.by.clone());
    Ok(())
}

#[cfg(test)]
#[path = "return_visit_proposals_tests.rs"]
mod tests;
