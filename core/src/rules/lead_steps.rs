//! The closing steps of a lead (issue 17): the pipeline stage, the lost request and its
//! confirmation, won and invoiced with their amounts. See the parent module's docs.

use std::collections::BTreeSet;

use super::{FollowUpNote, LOST_MIN_FOLLOW_UP_DAYS, log_follow_up};
use crate::calendar::WorkCalendar;
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::input::require_text;
use crate::model::{LeadReferral, LeadStatus, LostRequest, StageChange, StringEnum};
use crate::rules::{Action, wrong_state};

/// The (Shanghai) days on which the lead was followed up.
pub fn follow_up_days(lead: &LeadReferral, cal: &WorkCalendar) -> usize {
    let days: BTreeSet<_> = lead
        .follow_ups
        .iter()
        .map(|f| cal.local_date(f.at))
        .collect();
    days.len()
}

fn require_open(lead: &LeadReferral, step_zh: &str, step_en: &str) -> Result<()> {
    if lead.status != LeadStatus::Open {
        return Err(wrong_state(
            "status",
            lead.status.as_str(),
            step_zh,
            step_en,
        ));
    }
    Ok(())
}

/// Moves the deal one pipeline stage forward (seed 003 跟进流程), with the follow-up that
/// justifies the move, logged in the same step.
pub fn advance_stage(lead: &mut LeadReferral, note: &FollowUpNote, act: &Action) -> Result<()> {
    require_open(lead, "推进阶段", "advance the stage")?;
    let Some(to) = lead.stage.next() else {
        return Err(Error::invalid(
            "stage",
            "已是最后阶段（合同签署）/ the deal is already at its last stage (contract)",
        ));
    };
    log_follow_up(lead, note, act)?;
    lead.stage_changes.push(StageChange {
        id: act.sub_id("stage"),
        from: lead.stage.clone(),
        to: to.clone(),
        at: act.at,
        by: act.by.clone(),
        follow_up_id: act.entry_id.clone(),
    });
    lead.stage = to;
    Ok(())
}

/// The rep asks to mark the lead lost (战败申请), with the reason; her supervisor confirms.
pub fn request_lost(
    lead: &mut LeadReferral,
    reason: &str,
    act: &Action,
    cal: &WorkCalendar,
) -> Result<()> {
    require_open(lead, "申请战败", "request lost")?;
    if lead.lost_request.is_some() {
        return Err(Error::invalid(
            "lost_request",
            "已有待确认的战败申请 / a lost request is already waiting for the supervisor",
        ));
    }
    let reason = require_text(
        "lost_reason",
        reason,
        "战败原因",
        "the reason the lead was lost",
    )?;
    if follow_up_days(lead, cal) < LOST_MIN_FOLLOW_UP_DAYS {
        return Err(Error::invalid(
            "follow_ups",
            "须至少在两个不同日期跟进过才能申请战败（虚假战败将受处罚）/ a lead must be \
             followed up on at least two different days before it can be requested lost \
             (fake lost marks are fined)",
        ));
    }
    lead.lost_request = Some(LostRequest {
        id: act.entry_id.clone(),
        reason,
        at: act.at,
        by: act.by.clone(),
    });
    Ok(())
}

/// The supervisor confirms the rep's lost request: the lead is lost, with the rep's reason.
pub fn confirm_lost(lead: &mut LeadReferral, act: &Action) -> Result<()> {
    require_open(lead, "确认战败", "confirm lost")?;
    let request = pending_request(lead)?;
    if request.by == act.by {
        return Err(Error::invalid(
            "lost_request",
            "申请人不能自己确认战败 / the rep who requested it cannot confirm her own lost request",
        ));
    }
    lead.lost_reason = request.reason.clone();
    lead.history
        .push(act.change("open", "lost", request.reason));
    lead.status = LeadStatus::Lost;
    Ok(())
}

/// The supervisor declines the lost request (the lead stays open, to be followed up).
pub fn decline_lost(lead: &mut LeadReferral, why: &str, act: &Action) -> Result<()> {
    require_open(lead, "驳回战败申请", "decline the lost request")?;
    pending_request(lead)?;
    let why = require_text("note", why, "驳回理由", "why it is declined")?;
    lead.lost_request = None;
    lead.history.push(act.change(
        "open",
        "open",
        format!("战败申请驳回 / lost request declined: {why}"),
    ));
    Ok(())
}

fn pending_request(lead: &LeadReferral) -> Result<LostRequest> {
    lead.lost_request.clone().ok_or_else(|| {
        Error::invalid(
            "lost_request",
            "没有待确认的战败申请 / there is no lost request to decide",
        )
    })
}

fn positive_fen(field: &str, amount_fen: i64) -> Result<i64> {
    if amount_fen <= 0 {
        return Err(Error::invalid(
            field,
            "金额须为正数（单位：分）/ the amount must be positive (in fen)",
        ));
    }
    Ok(amount_fen)
}

/// Marks the lead won as the customer `customer_id`, for `amount_fen`; tracked until invoiced.
pub fn mark_won(
    lead: &mut LeadReferral,
    customer_id: RecordId,
    amount_fen: i64,
    act: &Action,
) -> Result<()> {
    require_open(lead, "标记成交", "mark won")?;
    lead.won_amount_fen = Some(positive_fen("won_amount_fen", amount_fen)?);
    lead.customer_id = Some(customer_id);
    lead.lost_request = None;
    lead.history.push(act.change("open", "won", ""));
    lead.status = LeadStatus::Won;
    Ok(())
}

/// Records the invoice of a won lead, for `amount_fen`: it is tracked until then (seed 002 篇3).
pub fn mark_invoiced(lead: &mut LeadReferral, amount_fen: i64, act: &Action) -> Result<()> {
    if lead.status != LeadStatus::Won {
        return Err(wrong_state(
            "status",
            lead.status.as_str(),
            "登记开票",
            "record the invoice",
        ));
    }
    lead.invoiced_amount_fen = Some(positive_fen("invoiced_amount_fen", amount_fen)?);
    lead.invoiced_at = Some(act.at);
    lead.history.push(act.change("won", "invoiced", ""));
    lead.status = LeadStatus::Invoiced;
    Ok(())
}
