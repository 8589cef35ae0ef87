//! Visit plans and invitations (拜访计划 / 邀约) — seeds 000, 002 篇6.
//!
//! Lifecycle: planned → invited (method recorded) → accepted (attendees ≥ 1) or declined (reason
//! required) → attended or no-show. A reschedule (改约) needs the name of the person at the
//! customer who consented; each one is kept. Appointments that need it (deliveries,
//! installations) are confirmed twice.
//!
//! Choices where the seeds are vague (a supervisor's reading):
//! - "≥ 5 working days ahead": the confirmation must be made on or before the 5th working day
//!   before the appointment's date, in the company's calendar; "with the hour fixed" means the
//!   appointment has a time other than local midnight (a plan with only a date is not fixed).
//! - "again 1 hour before": accepted from 2 hours before the appointment until it starts.
//! - A reschedule voids the confirmations made before it: they confirmed another hour.
//! - Attended / no-show can be recorded only once the appointment's local day has come.

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};

use super::{Action, wrong_state};
use crate::calendar::WorkCalendar;
use crate::error::{Error, Result};
use crate::input::require_text;
use crate::model::{
    Confirmation, ConfirmationKind, InvitationMethod, Reschedule, StringEnum, VisitPlan,
    VisitStatus,
};

/// How many working days ahead the first confirmation is due.
pub const CONFIRM_WORKING_DAYS_AHEAD: u32 = 5;
/// How early the "one hour before" confirmation may be made.
pub const LAST_CONFIRMATION_WINDOW: TimeDelta = TimeDelta::hours(2);

/// Arrive this long before the appointment at the latest…
pub const ARRIVE_EARLY_MIN: TimeDelta = TimeDelta::minutes(5);
/// …and no earlier than this.
pub const ARRIVE_EARLY_MAX: TimeDelta = TimeDelta::minutes(10);

/// Checks that a plan names the customer, the purpose, the time and the place (seed 001 §7).
/// An event names its customers per invitee instead.
pub fn check_plan(plan: &VisitPlan) -> Result<()> {
    if plan.customer_id.is_none() && plan.event.is_none() {
        return Err(Error::invalid(
            "customer_id",
            "须选择客户 / the customer is required",
        ));
    }
    require_text(
        "purpose",
        &plan.purpose,
        "拜访目的",
        "the purpose of the visit",
    )?;
    require_text("place", &plan.place, "拜访地点", "the place")?;
    if plan.scheduled_at.is_none() {
        return Err(Error::invalid(
            "scheduled_at",
            "须约定拜访时间 / the time is required",
        ));
    }
    Ok(())
}

/// When to arrive: 5–10 minutes before the appointment (seed 002 篇6).
pub fn arrival_window(plan: &VisitPlan) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    plan.scheduled_at
        .map(|t| (t - ARRIVE_EARLY_MAX, t - ARRIVE_EARLY_MIN))
}

fn step(plan: &mut VisitPlan, to: VisitStatus, act: &Action, note: impl Into<String>) {
    let from = plan.status.as_str().to_owned();
    plan.history.push(act.change(&from, to.as_str(), note));
    plan.status = to;
}

fn expect(plan: &VisitPlan, allowed: &[VisitStatus], zh: &str, en: &str) -> Result<()> {
    if allowed.contains(&plan.status) {
        Ok(())
    } else {
        Err(wrong_state("status", plan.status.as_str(), zh, en))
    }
}

/// Records that the customer was invited, and how.
pub fn invite(plan: &mut VisitPlan, method: InvitationMethod, act: &Action) -> Result<()> {
    expect(plan, &[VisitStatus::Planned], "发出邀约", "invite")?;
    check_plan(plan)?;
    plan.invitation_method = Some(method.clone());
    plan.invited_at = Some(act.at);
    step(plan, VisitStatus::Invited, act, method.as_str());
    Ok(())
}

/// Records acceptance with the number of attendees.
pub fn accept(plan: &mut VisitPlan, attendees: u32, act: &Action) -> Result<()> {
    expect(plan, &[VisitStatus::Invited], "接受邀约", "accept")?;
    if attendees == 0 {
        return Err(Error::invalid(
            "attendees",
            "接受邀约须填写到场人数（至少 1 人）/ an accepted invitation needs the number of attendees (at least 1)",
        ));
    }
    plan.attendees = Some(attendees);
    plan.responded_at = Some(act.at);
    step(plan, VisitStatus::Accepted, act, format!("{attendees}"));
    Ok(())
}

/// Records a refusal; the reason is always required.
pub fn decline(plan: &mut VisitPlan, reason: &str, act: &Action) -> Result<()> {
    expect(plan, &[VisitStatus::Invited], "拒绝邀约", "decline")?;
    let reason = require_text(
        "decline_reason",
        reason,
        "拒绝原因",
        "the reason for declining",
    )?;
    plan.decline_reason = reason.clone();
    plan.responded_at = Some(act.at);
    step(plan, VisitStatus::Declined, act, reason);
    Ok(())
}

/// What a reschedule needs: the new time and the customer's consent.
#[derive(Debug, Clone, PartialEq)]
pub struct RescheduleRequest {
    pub to: DateTime<Utc>,
    /// Who at the customer agreed (name, and how: "王经理，电话").
    pub consent_by: String,
    pub consent_at: DateTime<Utc>,
    pub reason: String,
}

/// Moves the appointment (改约) with the customer's consent; every reschedule is kept.
pub fn reschedule(plan: &mut VisitPlan, req: &RescheduleRequest, act: &Action) -> Result<()> {
    let open = [
        VisitStatus::Planned,
        VisitStatus::Invited,
        VisitStatus::Accepted,
    ];
    expect(plan, &open, "改约", "reschedule")?;
    let consent = require_text(
        "consent_by",
        &req.consent_by,
        "同意改约的客户人员",
        "the customer's consent",
    )?;
    let reason = require_text(
        "reason",
        &req.reason,
        "改约原因",
        "the reason for rescheduling",
    )?;
    plan.reschedules.push(Reschedule {
        id: act.sub_id("r"),
        from: plan.scheduled_at,
        to: req.to,
        consent_by: consent,
        consent_at: req.consent_at,
        reason,
        by: act.by.clone(),
    });
    plan.scheduled_at = Some(req.to);
    let status = plan.status.clone();
    step(plan, status, act, "rescheduled / 改约");
    Ok(())
}

/// The last day the "≥ 5 working days ahead" confirmation can be made, if the plan needs it.
pub fn first_confirmation_due_on(
    plan: &VisitPlan,
    cal: &WorkCalendar,
) -> Option<chrono::NaiveDate> {
    let at = plan.scheduled_at.filter(|_| plan.needs_confirmation)?;
    Some(cal.sub_working_days(cal.local_date(at), CONFIRM_WORKING_DAYS_AHEAD))
}

/// The confirmations that still count (made after the latest reschedule).
pub fn valid_confirmations(plan: &VisitPlan) -> impl Iterator<Item = &Confirmation> {
    let since = plan.reschedules.iter().map(|r| r.consent_at).max();
    plan.confirmations
        .iter()
        .filter(move |c| since.is_none_or(|s| c.at >= s))
}

/// Whether a confirmation of `kind` that still counts is recorded.
pub fn is_confirmed(plan: &VisitPlan, kind: &ConfirmationKind) -> bool {
    valid_confirmations(plan).any(|c| &c.kind == kind)
}

/// Records a confirmation call, checking its timing against the appointment.
pub fn confirm(
    plan: &mut VisitPlan,
    kind: ConfirmationKind,
    act: &Action,
    cal: &WorkCalendar,
) -> Result<()> {
    expect(
        plan,
        &[VisitStatus::Invited, VisitStatus::Accepted],
        "确认预约",
        "confirm",
    )?;
    confirmation_timing(plan, &kind, act.at, cal)?;
    plan.confirmations.push(Confirmation {
        id: act.entry_id.clone(),
        kind,
        at: act.at,
        by: act.by.clone(),
    });
    Ok(())
}

/// Whether a confirmation of `kind` made at `now` is on time for the plan's appointment.
pub(crate) fn confirmation_timing(
    plan: &VisitPlan,
    kind: &ConfirmationKind,
    now: DateTime<Utc>,
    cal: &WorkCalendar,
) -> Result<()> {
    let at = plan.scheduled_at.ok_or_else(|| {
        Error::invalid(
            "scheduled_at",
            "预约尚无时间，无法确认 / the appointment has no time to confirm",
        )
    })?;
    match kind {
        ConfirmationKind::FiveWorkingDays => check_first_confirmation(at, now, cal),
        ConfirmationKind::OneHour => check_last_confirmation(at, now),
        ConfirmationKind::Other(_) => Ok(()),
    }
}

fn check_first_confirmation(
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    cal: &WorkCalendar,
) -> Result<()> {
    if at.with_timezone(&cal.time_zone()).time() == NaiveTime::MIN {
        return Err(Error::invalid(
            "scheduled_at",
            "提前 5 个工作日确认时须约定具体时间 / the 5-working-day confirmation needs the hour fixed",
        ));
    }
    let last_day = cal.sub_working_days(cal.local_date(at), CONFIRM_WORKING_DAYS_AHEAD);
    if cal.local_date(now) > last_day {
        return Err(Error::invalid(
            "confirmations",
            format!(
                "须在 {last_day} 前（提前 5 个工作日）确认 / must be confirmed by {last_day}, 5 working days ahead"
            ),
        ));
    }
    Ok(())
}

fn check_last_confirmation(at: DateTime<Utc>, now: DateTime<Utc>) -> Result<()> {
    if now < at - LAST_CONFIRMATION_WINDOW || now >= at {
        return Err(Error::invalid(
            "confirmations",
            "到达前 1 小时的确认须在预约前 2 小时内进行 / the 1-hour confirmation is made within the 2 hours before the appointment",
        ));
    }
    Ok(())
}

fn check_day_has_come(plan: &VisitPlan, act: &Action, cal: &WorkCalendar) -> Result<()> {
    let day = plan.scheduled_at.map(|t| cal.local_date(t));
    if day.is_none_or(|d| cal.local_date(act.at) < d) {
        return Err(Error::invalid(
            "scheduled_at",
            "预约日期未到，不能登记到场情况 / attendance can be recorded only from the appointment's day",
        ));
    }
    Ok(())
}

/// Records that the customer came (or the visit took place).
pub fn mark_attended(plan: &mut VisitPlan, act: &Action, cal: &WorkCalendar) -> Result<()> {
    expect(plan, &[VisitStatus::Accepted], "登记到场", "mark attended")?;
    check_day_has_come(plan, act, cal)?;
    plan.attended_at = Some(act.at);
    step(plan, VisitStatus::Attended, act, "");
    Ok(())
}

/// Records that the customer did not come.
pub fn mark_no_show(plan: &mut VisitPlan, act: &Action, cal: &WorkCalendar) -> Result<()> {
    expect(plan, &[VisitStatus::Accepted], "登记未到场", "mark no-show")?;
    check_day_has_come(plan, act, cal)?;
    step(plan, VisitStatus::NoShow, act, "");
    Ok(())
}

/// Cancels an open plan; the reason is kept in its history.
pub fn cancel(plan: &mut VisitPlan, reason: &str, act: &Action) -> Result<()> {
    let open = [
        VisitStatus::Planned,
        VisitStatus::Invited,
        VisitStatus::Accepted,
    ];
    expect(plan, &open, "取消拜访", "cancel")?;
    let reason = require_text("reason", reason, "取消原因", "the reason for cancelling")?;
    step(plan, VisitStatus::Cancelled, act, reason);
    Ok(())
}

/// Records the order or intent amount (fen) a visit that took place led to (seed 000 销售业绩).
pub fn record_outcome_amount(plan: &mut VisitPlan, amount_fen: i64) -> Result<()> {
    expect(
        plan,
        &[VisitStatus::Attended],
        "记录成交金额",
        "record the order amount",
    )?;
    if amount_fen < 0 {
        return Err(Error::invalid(
            "outcome_amount_fen",
            "金额不能为负 / the amount cannot be negative",
        ));
    }
    plan.outcome_amount_fen = Some(amount_fen);
    Ok(())
}

/// The rep a plan counts for: its `rep`, or its owner if none is named.
pub fn rep_of(plan: &VisitPlan) -> &crate::ids::UserId {
    if plan.rep.as_str().is_empty() {
        &plan.meta.owner
    } else {
        &plan.rep
    }
}

#[cfg(test)]
#[path = "visit_plan_tests.rs"]
mod tests;
