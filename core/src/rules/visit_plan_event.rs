//! The steps of an event's invitees (seed 000 客户邀约执行 / 后续跟进): invite a customer, record
//! the answer, re-confirm and send the guide before the event, record attendance, follow up
//! after it with the order amount. Each step changes one invitee; the lifecycle judge
//! (`lifecycle/visit_event.rs`) checks the timing against the event, on the device and on the
//! server.

use super::{Action, wrong_state};
use crate::error::{Error, Result};
use crate::ids::RecordId;
use crate::input::require_text;
use crate::model::{EventFollowUp, InvitationMethod, Invitee, StringEnum, VisitPlan, VisitStatus};

/// Who is invited to an event, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct InviteeRequest {
    pub customer_id: Option<RecordId>,
    /// The person invited at the customer.
    pub name: String,
    pub method: InvitationMethod,
}

/// Adds an invitee, invited now by the acting rep; returns the invitee's id.
pub fn invite_to_event(plan: &mut VisitPlan, req: &InviteeRequest, act: &Action) -> Result<String> {
    if plan.status != VisitStatus::Planned {
        return Err(wrong_state(
            "status",
            plan.status.as_str(),
            "邀约参会",
            "invite to the event",
        ));
    }
    let name = require_text("name", &req.name, "受邀人姓名", "the invitee's name")?;
    let event = plan.event.as_mut().ok_or_else(not_an_event)?;
    event.invitees.push(Invitee {
        id: act.entry_id.clone(),
        customer_id: req.customer_id,
        name,
        rep: act.by.clone(),
        status: VisitStatus::Invited,
        method: Some(req.method.clone()),
        invited_at: Some(act.at),
        ..Invitee::default()
    });
    Ok(act.entry_id.clone())
}

fn not_an_event() -> Error {
    Error::invalid("event", "该拜访计划不是活动 / this plan is not an event")
}

fn invitee<'a>(plan: &'a mut VisitPlan, id: &str) -> Result<&'a mut Invitee> {
    let event = plan.event.as_mut().ok_or_else(not_an_event)?;
    event
        .invitees
        .iter_mut()
        .find(|i| i.id == id)
        .ok_or_else(|| Error::invalid("invitee_id", "没有该受邀客户 / no such invitee"))
}

fn expect(i: &Invitee, allowed: &[VisitStatus], zh: &str, en: &str) -> Result<()> {
    if allowed.contains(&i.status) {
        Ok(())
    } else {
        Err(wrong_state("status", i.status.as_str(), zh, en))
    }
}

/// The invitee accepted, coming with `attendees` people (at least 1).
pub fn accept_invitee(plan: &mut VisitPlan, id: &str, attendees: u32, act: &Action) -> Result<()> {
    let i = invitee(plan, id)?;
    expect(i, &[VisitStatus::Invited], "接受邀约", "accept")?;
    i.status = VisitStatus::Accepted;
    i.attendees = Some(attendees);
    i.responded_at = Some(act.at);
    Ok(())
}

/// The invitee declined; the reason is required.
pub fn decline_invitee(plan: &mut VisitPlan, id: &str, reason: &str, act: &Action) -> Result<()> {
    let i = invitee(plan, id)?;
    expect(i, &[VisitStatus::Invited], "拒绝邀约", "decline")?;
    i.decline_reason = require_text("reason", reason, "拒绝原因", "the reason for declining")?;
    i.status = VisitStatus::Declined;
    i.responded_at = Some(act.at);
    Ok(())
}

/// 再次与客户确认参会信息: before the event, once accepted.
pub fn reconfirm_invitee(plan: &mut VisitPlan, id: &str, act: &Action) -> Result<()> {
    let i = invitee(plan, id)?;
    expect(i, &[VisitStatus::Accepted], "再次确认参会", "re-confirm")?;
    i.reconfirmed_at = Some(act.at);
    Ok(())
}

/// 发送参会指南 (route, what to bring): before the event, once accepted.
pub fn send_event_guide(plan: &mut VisitPlan, id: &str, act: &Action) -> Result<()> {
    let i = invitee(plan, id)?;
    expect(
        i,
        &[VisitStatus::Accepted],
        "发送参会指南",
        "send the guide",
    )?;
    i.guide_sent_at = Some(act.at);
    Ok(())
}

/// Whether the invitee came (from the event's day on).
pub fn record_invitee_attendance(
    plan: &mut VisitPlan,
    id: &str,
    attended: bool,
    act: &Action,
) -> Result<()> {
    let i = invitee(plan, id)?;
    expect(i, &[VisitStatus::Accepted], "登记到场", "record attendance")?;
    if attended {
        i.status = VisitStatus::Attended;
        i.attended_at = Some(act.at);
    } else {
        i.status = VisitStatus::NoShow;
    }
    Ok(())
}

/// The conversation after the event with a customer who came, and the order or intent amount
/// (fen) it led to, if any.
pub fn follow_up_invitee(
    plan: &mut VisitPlan,
    id: &str,
    note: &str,
    amount_fen: Option<i64>,
    act: &Action,
) -> Result<()> {
    let i = invitee(plan, id)?;
    expect(i, &[VisitStatus::Attended], "活动后跟进", "follow up")?;
    let note = require_text("note", note, "跟进内容", "what the customer said")?;
    i.follow_up = Some(EventFollowUp {
        at: act.at,
        by: act.by.clone(),
        note,
    });
    if amount_fen.is_some() {
        i.outcome_amount_fen = amount_fen;
    }
    Ok(())
}
