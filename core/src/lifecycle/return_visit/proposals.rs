//! The judge of a report's customer proposals (seed 001 §4): the list is append-only, what the
//! customer said is kept as taken, routing goes to a known department, and only that
//! department's manager extends or answers (the mapping is in `rules::return_visit_proposals`).
//!
//! | rule | what is refused |
//! |---|---|
//! | `return_visit.proposals_append_only` | removing a proposal, or changing what was taken (text, channel, complexity, when) |
//! | `return_visit.proposal_taken` | a new proposal without text, in the future, or already answered or extended |
//! | `return_visit.proposal_routed` | routing to an unknown department, un-routing, routing an answered one, or by someone who may not (the CS manager or the routed manager re-routes) |
//! | `return_visit.proposal_answered_by_routed_manager` | an answer by anyone but the routed department's manager, unrouted, or without an outcome and text |
//! | `return_visit.proposal_answer_final` | changing an answer once given |
//! | `return_visit.proposal_extension` | an extension not by the routed manager, without the VP's approval, for a complex one, after the 15 days, or changed later |

use super::{Context, Verdict, Violation, claimed, supervisor_of_rep};
use crate::access::Role;
use crate::lifecycle::claimed_time;
use crate::model::{Proposal, ProposalOutcome, ReturnVisitReport};
use crate::rules::return_visit_proposals::{PROPOSAL_LIMIT, answering_role};

pub(super) fn judge(
    before: Option<&ReturnVisitReport>,
    after: &ReturnVisitReport,
    ctx: &Context<'_>,
) -> Verdict {
    let old: &[Proposal] = before.map_or(&[], |b| &b.proposals);
    for (n, p) in after.proposals.iter().enumerate() {
        let at = format!("/proposals/{n}");
        match old.iter().find(|o| o.id == p.id) {
            Some(o) => changed(after, o, p, &at, ctx)?,
            None => taken(after, p, &at, ctx)?,
        }
    }
    if old
        .iter()
        .any(|o| !after.proposals.iter().any(|p| p.id == o.id))
    {
        return Err(append_only("/proposals"));
    }
    Ok(())
}

fn append_only(field: &str) -> Violation {
    Violation::new(
        "return_visit.proposals_append_only",
        field,
        "已记录的客户提案不能删除，客户所提内容不能修改 / recorded customer proposals cannot be \
         removed, nor what the customer proposed changed",
    )
}

/// A proposal recorded by this write.
fn taken(r: &ReturnVisitReport, p: &Proposal, at: &str, ctx: &Context<'_>) -> Verdict {
    let refuse = |why: &str| Violation::new("return_visit.proposal_taken", at, why.to_owned());
    if p.text.trim().is_empty() {
        return Err(refuse("须填写提案内容 / the proposal's text is required"));
    }
    if p.outcome != ProposalOutcome::Pending || p.answered_by.is_some() || p.extension.is_some() {
        return Err(refuse(
            "新提案须为待答复 / a new proposal is pending, not answered or extended",
        ));
    }
    // When the customer spoke: only a future time would stretch the deadline.
    let future_only = Context {
        floor: None,
        ..*ctx
    };
    claimed_time(
        &future_only,
        "return_visit.proposal_taken",
        &format!("{at}/received_at"),
        p.received_at,
    )?;
    if p.department.is_some() {
        routed(r, None, p, at, ctx)?;
    }
    Ok(())
}

/// A proposal that was already there.
fn changed(
    r: &ReturnVisitReport,
    old: &Proposal,
    p: &Proposal,
    at: &str,
    ctx: &Context<'_>,
) -> Verdict {
    if intake(old) != intake(p) {
        return Err(append_only(at));
    }
    if old.outcome != ProposalOutcome::Pending {
        return answered_unchanged(old, p, at);
    }
    if old.department != p.department || old.routed_by != p.routed_by {
        routed(r, Some(old), p, at, ctx)?;
    }
    if old.extension != p.extension {
        extension(old, p, at, ctx)?;
    }
    if p.outcome != ProposalOutcome::Pending || old.answered_by != p.answered_by {
        answered(p, at, ctx)?;
    }
    Ok(())
}

/// What the customer proposed, as taken.
fn intake(p: &Proposal) -> (&str, bool, chrono::DateTime<chrono::Utc>, &str) {
    use crate::model::StringEnum;
    (&p.text, p.complex, p.received_at, p.channel.as_str())
}

fn answered_unchanged(old: &Proposal, p: &Proposal, at: &str) -> Verdict {
    if old == p {
        return Ok(());
    }
    Err(Violation::new(
        "return_visit.proposal_answer_final",
        at,
        "提案已答复，答复不能修改 / the proposal is answered; the answer cannot change",
    ))
}

fn routed(
    r: &ReturnVisitReport,
    old: Option<&Proposal>,
    p: &Proposal,
    at: &str,
    ctx: &Context<'_>,
) -> Verdict {
    let refuse = |why: &str| Violation::new("return_visit.proposal_routed", at, why.to_owned());
    let Some(dept) = &p.department else {
        return Err(refuse(
            "已分派的提案不能撤销分派 / a routed proposal cannot be un-routed",
        ));
    };
    if answering_role(dept).is_none() {
        return Err(refuse("未知的部门 / unknown department"));
    }
    if p.routed_by.as_ref() != Some(ctx.user) {
        return Err(refuse(
            "分派人必须是您本人 / the person routing must be you",
        ));
    }
    let from = old.and_then(|o| o.department.as_ref());
    let dispatcher = ctx.role_in(&[Role::CustomerServiceManager]);
    let allowed = match from {
        // First routing: the rep who took it, her supervisor, or the CS manager (dispatcher).
        None => {
            *ctx.user == r.rep
                || *ctx.user == r.meta.owner
                || dispatcher
                || supervisor_of_rep(r, ctx)
        }
        // Re-routing: the dispatcher, or the routed manager passing it on.
        Some(from) => dispatcher || answering_role(from).is_some_and(|m| ctx.role_in(&[m])),
    };
    if !allowed {
        return Err(refuse(
            "只有业务员、其主管或客服经理可以分派提案，已分派的只有客服经理或该部门经理可以改派 / \
             only the rep, her supervisor or the customer-service manager routes a proposal; \
             once routed, only the customer-service manager or the routed manager re-routes it",
        ));
    }
    match p.routed_at {
        Some(t) => claimed(
            ctx,
            "return_visit.proposal_routed",
            &format!("{at}/routed_at"),
            t,
        ),
        None => Err(refuse("须记录分派时间 / the routing time is required")),
    }
}

/// Whether the actor is the manager of the department `p` is routed to.
fn routed_manager(p: &Proposal, ctx: &Context<'_>) -> bool {
    p.department
        .as_ref()
        .and_then(answering_role)
        .is_some_and(|m| ctx.role_in(&[m]))
}

fn answered(p: &Proposal, at: &str, ctx: &Context<'_>) -> Verdict {
    let refuse = |why: &str| {
        Violation::new(
            "return_visit.proposal_answered_by_routed_manager",
            at,
            why.to_owned(),
        )
    };
    if !routed_manager(p, ctx) || p.answered_by.as_ref() != Some(ctx.user) {
        return Err(refuse(
            "只有提案分派部门的经理本人可以答复 / only the manager of the department the \
             proposal was routed to answers it, in person",
        ));
    }
    let outcome_ok = matches!(
        p.outcome,
        ProposalOutcome::Accepted | ProposalOutcome::Kept | ProposalOutcome::Rejected
    );
    if !outcome_ok || p.answer.trim().is_empty() {
        return Err(refuse(
            "答复须为采纳、保留或不采纳，并写明答复 / the answer is accepted, kept or rejected, \
             with the answer written",
        ));
    }
    match p.answered_at {
        Some(t) => claimed(
            ctx,
            "return_visit.proposal_answered_by_routed_manager",
            &format!("{at}/answered_at"),
            t,
        ),
        None => Err(refuse("须记录答复时间 / the answer's time is required")),
    }
}

fn extension(old: &Proposal, p: &Proposal, at: &str, ctx: &Context<'_>) -> Verdict {
    let refuse = |why: &str| Violation::new("return_visit.proposal_extension", at, why.to_owned());
    let (None, Some(ext)) = (&old.extension, &p.extension) else {
        return Err(refuse(
            "延期已记录，不能修改 / the extension is recorded; it cannot change",
        ));
    };
    if !routed_manager(p, ctx) || ext.by != *ctx.user {
        return Err(refuse(
            "只有提案分派部门的经理本人可以登记延期 / only the routed department's manager, in \
             person, records an extension",
        ));
    }
    if p.complex || ext.vp_approval.trim().is_empty() {
        return Err(refuse(
            "延期须有副总裁批准，复杂提案已有30天 / an extension needs the vice-president's \
             approval; complex proposals already have 30 days",
        ));
    }
    if ext.at > p.received_at + PROPOSAL_LIMIT {
        return Err(refuse(
            "15天期限已过，不能再延期 / the 15 days have passed; too late to extend",
        ));
    }
    claimed(
        ctx,
        "return_visit.proposal_extension",
        &format!("{at}/extension/at"),
        ext.at,
    )
}
