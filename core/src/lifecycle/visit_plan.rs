//! The lifecycle of a visit plan and its invitation (seeds 000, 001 §7, 002 篇6), judged on the
//! device before a write and on the server for every change, so that a stock client sending a
//! forbidden change raw is refused.
//!
//! Rules (rule id — seed — what it says):
//! - `visit_plan.transition` (000): planned → invited → accepted / declined; accepted →
//!   attended / no_show; planned, invited and accepted → cancelled. Every status change is a new
//!   `history` entry whose `from` is the status before it; nothing else moves the status.
//! - `visit_plan.history_append_only`, `visit_plan.history_by`, `visit_plan.history_at`: the
//!   history only grows; each new entry names the person who writes it, at a claimed time.
//! - `visit_plan.invite_needs_plan` (001 §7): an invitation goes out only for a plan naming the
//!   customer, purpose, time and place, with the method and `invited_at` (claimed) recorded.
//! - `visit_plan.accept_needs_attendees` (000 确认参会人数): accepted with attendees ≥ 1 and
//!   `responded_at` (claimed). `visit_plan.decline_needs_reason` (000 记录拒绝原因).
//! - `visit_plan.attendance_on_the_day`: attended / no-show only from the appointment's local
//!   day; `attended_at` is claimed and not before that day.
//! - `visit_plan.cancel_needs_reason`: a cancellation's history entry says why.
//! - `visit_plan.step_fields`: the invitation, answer and attendance fields are written by
//!   their step only, and never change afterwards.
//! - `visit_plan.reschedule_*` (002 篇6 改约): after the invitation, `scheduled_at` changes only
//!   with a new `reschedules[]` entry carrying the customer's consent (`consent_by`, claimed
//!   `consent_at`), whose `from` is the old time and `to` the new one; reschedules only while
//!   the plan is open, and append-only.
//! - `visit_plan.confirmation_*` (002 篇6): confirmations are append-only, made while invited or
//!   accepted, at claimed times, and on time (≥ 5 working days ahead with the hour fixed; within
//!   the 2 hours before the appointment for the "1 hour before" call).
//! - `visit_plan.amount_after_attendance` (000 销售业绩): the outcome amount is recorded once the
//!   visit took place.
//! - `visit_plan.who`: steps are taken by the plan's rep, or by someone who supervises her.
//! - Events and their invitees: `visit_event.rs`; invitation targets: `visit_targets.rs`.
//!
//! Choices where the seeds are vague:
//! - A change that arrives with several steps at once (a phone offline for the whole
//!   invitation) is judged step by step along its new history entries; the fields each step
//!   needs are checked on the record as it arrives.
//! - While a plan is still `planned`, its time is a draft and moves freely; the customer's
//!   consent is needed from the invitation on.
//! - A reschedule's reason is asked for by the app's step but not required raw: the consent is
//!   what the seed insists on.

#[path = "visit_event.rs"]
mod event;
#[path = "visit_targets.rs"]
mod targets;

use chrono::{DateTime, Utc};

use super::{Context, Verdict, Violation, added, claimed_time};
use crate::ids::UserId;
use crate::model::{StatusChange, StringEnum, VisitPlan, VisitStatus};
use crate::rules::visit_plan as rules;

pub(super) fn judge(before: Option<&VisitPlan>, after: &VisitPlan, ctx: &Context<'_>) -> Verdict {
    let fresh = VisitPlan::default();
    let base = before.unwrap_or(&fresh);
    let steps = history(base, after, ctx)?;
    let passed = transitions(base, after, &steps)?;
    if lifecycle_changed(base, after, &steps) {
        who(rules::rep_of(after), ctx)?;
    }
    for (entry, to) in &passed {
        requirements(after, entry, to, ctx)?;
    }
    step_fields(base, after, &passed)?;
    reschedules(before, base, after, ctx)?;
    confirmations(base, after, ctx, &passed)?;
    amount(base, after)?;
    event::judge(base, after, ctx, &passed)?;
    targets::judge(base, after, ctx)
}

/// The history entries this write adds, each by the actor at a claimed time.
fn history<'a>(
    base: &VisitPlan,
    after: &'a VisitPlan,
    ctx: &Context<'_>,
) -> Result<Vec<&'a StatusChange>, Violation> {
    let rule = "visit_plan.history_append_only";
    let new = added(rule, "/history", &base.history, &after.history, |h| &h.id)?;
    for h in &new {
        by_actor("visit_plan.history_by", "/history", &h.by, ctx)?;
        claimed_time(ctx, "visit_plan.history_at", "/history", h.at)?;
    }
    Ok(new)
}

/// The status changes among the new entries, checked as a chain from the stored status to the
/// new one; returns each with the status it reached.
fn transitions<'a>(
    base: &VisitPlan,
    after: &VisitPlan,
    steps: &[&'a StatusChange],
) -> Result<Vec<(&'a StatusChange, VisitStatus)>, Violation> {
    let mut at = base.status.clone();
    let mut passed = Vec::new();
    for h in steps.iter().filter(|h| h.from != h.to) {
        let to = VisitStatus::parse_str(&h.to);
        if h.from != at.as_str() || !legal(&at, &to) {
            return Err(transition(format!(
                "不能从“{}”变为“{}” / cannot go from `{}` to `{}`",
                h.from, h.to, h.from, h.to
            )));
        }
        at = to.clone();
        passed.push((*h, to));
    }
    if at != after.status {
        return Err(transition(format!(
            "状态须经由相应步骤变更（历史记录止于“{0}”）/ the status changes only by its step \
             (the history ends at `{0}`)",
            at.as_str()
        )));
    }
    Ok(passed)
}

fn transition(reason: String) -> Violation {
    Violation::new("visit_plan.transition", "/status", reason)
}

/// The state machine of seed 000, with cancellation from the open states.
fn legal(from: &VisitStatus, to: &VisitStatus) -> bool {
    use VisitStatus as S;
    matches!(
        (from, to),
        (S::Planned, S::Invited)
            | (S::Invited, S::Accepted | S::Declined)
            | (S::Accepted, S::Attended | S::NoShow)
            | (S::Planned | S::Invited | S::Accepted, S::Cancelled)
    )
}

/// What each step needs, on the record as it arrives.
fn requirements(
    after: &VisitPlan,
    entry: &StatusChange,
    to: &VisitStatus,
    ctx: &Context<'_>,
) -> Verdict {
    match to {
        VisitStatus::Invited => invited(after, ctx),
        VisitStatus::Accepted => {
            if after.attendees.is_none_or(|n| n == 0) {
                return Err(Violation::new(
                    "visit_plan.accept_needs_attendees",
                    "/attendees",
                    "接受邀约须填写到场人数（至少 1 人）/ an accepted invitation needs the \
                     number of attendees (at least 1)",
                ));
            }
            responded(after, ctx)
        }
        VisitStatus::Declined => {
            if after.decline_reason.trim().is_empty() {
                return Err(Violation::new(
                    "visit_plan.decline_needs_reason",
                    "/decline_reason",
                    "拒绝邀约须记录原因 / a declined invitation records the reason",
                ));
            }
            responded(after, ctx)
        }
        VisitStatus::Attended => {
            let Some(at) = after.attended_at else {
                return Err(on_the_day(
                    "须记录到场时间 / the time of attendance is required",
                ));
            };
            claimed_time(ctx, "visit_plan.attendance_on_the_day", "/attended_at", at)?;
            day_has_come(after.scheduled_at, at, ctx)
        }
        VisitStatus::NoShow => day_has_come(after.scheduled_at, entry.at, ctx),
        VisitStatus::Cancelled if entry.note.trim().is_empty() => Err(Violation::new(
            "visit_plan.cancel_needs_reason",
            "/history",
            "取消拜访须说明原因 / a cancellation says why",
        )),
        _ => Ok(()),
    }
}

fn invited(after: &VisitPlan, ctx: &Context<'_>) -> Verdict {
    let rule = "visit_plan.invite_needs_plan";
    rules::check_plan(after).map_err(|e| from_error(rule, e))?;
    if after.invitation_method.is_none() {
        return Err(Violation::new(
            rule,
            "/invitation_method",
            "须记录邀约方式 / the invitation method is required",
        ));
    }
    let Some(at) = after.invited_at else {
        return Err(Violation::new(
            rule,
            "/invited_at",
            "须记录邀约时间 / the time of the invitation is required",
        ));
    };
    claimed_time(ctx, rule, "/invited_at", at)
}

fn responded(after: &VisitPlan, ctx: &Context<'_>) -> Verdict {
    let rule = "visit_plan.responded_at";
    let Some(at) = after.responded_at else {
        return Err(Violation::new(
            rule,
            "/responded_at",
            "须记录客户答复时间 / the time of the customer's answer is required",
        ));
    };
    claimed_time(ctx, rule, "/responded_at", at)
}

/// Attendance is recorded from the appointment's local day on (`at`: when it is recorded).
pub(super) fn day_has_come(
    scheduled: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
    ctx: &Context<'_>,
) -> Verdict {
    let cal = ctx.calendar;
    let day = scheduled.map(|t| cal.local_date(t));
    if day.is_none_or(|d| cal.local_date(at) < d || cal.local_date(ctx.now) < d) {
        return Err(on_the_day(
            "预约日期未到，不能登记到场情况 / attendance can be recorded only from the \
             appointment's day",
        ));
    }
    Ok(())
}

fn on_the_day(reason: &str) -> Violation {
    Violation::new("visit_plan.attendance_on_the_day", "/attended_at", reason)
}

/// The fields each step writes, frozen outside it.
fn step_fields(
    base: &VisitPlan,
    after: &VisitPlan,
    passed: &[(&StatusChange, VisitStatus)],
) -> Verdict {
    let reached = |s: VisitStatus| passed.iter().any(|(_, to)| *to == s);
    let answered = reached(VisitStatus::Accepted) || reached(VisitStatus::Declined);
    let fields: [(&str, bool, bool); 6] = [
        (
            "/invitation_method",
            base.invitation_method != after.invitation_method,
            reached(VisitStatus::Invited),
        ),
        (
            "/invited_at",
            base.invited_at != after.invited_at,
            reached(VisitStatus::Invited),
        ),
        (
            "/responded_at",
            base.responded_at != after.responded_at,
            answered,
        ),
        (
            "/attendees",
            base.attendees != after.attendees,
            reached(VisitStatus::Accepted),
        ),
        (
            "/decline_reason",
            base.decline_reason != after.decline_reason,
            reached(VisitStatus::Declined),
        ),
        (
            "/attended_at",
            base.attended_at != after.attended_at,
            reached(VisitStatus::Attended),
        ),
    ];
    match fields
        .iter()
        .find(|(_, changed, by_step)| *changed && !by_step)
    {
        Some((field, _, _)) => Err(Violation::new(
            "visit_plan.step_fields",
            *field,
            "该字段只能由相应的邀约步骤写入，写入后不能修改 / this field is written only by its \
             invitation step and never changes afterwards",
        )),
        None => Ok(()),
    }
}

/// 改约: after the invitation, a new time needs the customer's consent (seed 002 篇6).
fn reschedules(
    before: Option<&VisitPlan>,
    base: &VisitPlan,
    after: &VisitPlan,
    ctx: &Context<'_>,
) -> Verdict {
    let rule = "visit_plan.reschedule_append_only";
    let new = added(
        rule,
        "/reschedules",
        &base.reschedules,
        &after.reschedules,
        |r| &r.id,
    )?;
    let moved = before.is_some() && base.scheduled_at != after.scheduled_at;
    if new.is_empty() {
        if moved && base.status != VisitStatus::Planned {
            return Err(needs_consent(
                "邀约后改约须记录客户同意 / after the invitation, a new time needs the \
                 customer's consent (a reschedule entry)",
            ));
        }
        return Ok(());
    }
    let open = [
        VisitStatus::Planned,
        VisitStatus::Invited,
        VisitStatus::Accepted,
    ];
    // The plan was open when the reschedule was made: it is now, or it was before this write
    // (a change arriving with several steps may close it after the reschedule).
    if !open.contains(&base.status) {
        return Err(Violation::new(
            "visit_plan.reschedule_open",
            "/reschedules",
            "已结束的拜访不能改约 / a closed visit cannot be rescheduled",
        ));
    }
    let mut at = base.scheduled_at;
    for r in &new {
        if r.consent_by.trim().is_empty() {
            return Err(needs_consent(
                "改约须记录同意的客户人员 / a reschedule names who at the customer consented",
            ));
        }
        claimed_time(
            ctx,
            "visit_plan.reschedule_consent_at",
            "/reschedules",
            r.consent_at,
        )?;
        by_actor("visit_plan.reschedule_by", "/reschedules", &r.by, ctx)?;
        if before.is_some() && r.from != at {
            return Err(reschedule_to(
                "改约的原时间与预约不符 / the reschedule's `from` is not the appointment's time",
            ));
        }
        at = Some(r.to);
    }
    if at != after.scheduled_at {
        return Err(reschedule_to(
            "改约的新时间须与预约时间一致 / the reschedule's `to` must equal the new `scheduled_at`",
        ));
    }
    Ok(())
}

fn needs_consent(reason: &str) -> Violation {
    Violation::new(
        "visit_plan.reschedule_needs_consent",
        "/scheduled_at",
        reason,
    )
}

fn reschedule_to(reason: &str) -> Violation {
    Violation::new("visit_plan.reschedule_to", "/reschedules", reason)
}

/// The two confirmations of seed 002 篇6: append-only, while invited or accepted, on time.
fn confirmations(
    base: &VisitPlan,
    after: &VisitPlan,
    ctx: &Context<'_>,
    passed: &[(&StatusChange, VisitStatus)],
) -> Verdict {
    let rule = "visit_plan.confirmation_append_only";
    let new = added(
        rule,
        "/confirmations",
        &base.confirmations,
        &after.confirmations,
        |c| &c.id,
    )?;
    if new.is_empty() {
        return Ok(());
    }
    let mut states = passed.iter().map(|(_, to)| to).chain([&base.status]);
    if !states.any(|s| matches!(s, VisitStatus::Invited | VisitStatus::Accepted)) {
        return Err(Violation::new(
            "visit_plan.confirmation_when_invited",
            "/confirmations",
            "只能在邀约后、拜访前确认预约 / an appointment is confirmed once invited, before the visit",
        ));
    }
    for c in new {
        claimed_time(ctx, "visit_plan.confirmation_at", "/confirmations", c.at)?;
        by_actor("visit_plan.confirmation_by", "/confirmations", &c.by, ctx)?;
        let then = VisitPlan {
            scheduled_at: scheduled_as_of(after, c.at),
            ..VisitPlan::default()
        };
        rules::confirmation_timing(&then, &c.kind, c.at, ctx.calendar)
            .map_err(|e| from_error("visit_plan.confirmation_timing", e))?;
    }
    Ok(())
}

/// The appointment's time as it stood at `at` (a confirmation confirms the time of its day,
/// even when a reschedule arrives in the same change).
fn scheduled_as_of(plan: &VisitPlan, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let mut time = plan
        .reschedules
        .first()
        .map_or(plan.scheduled_at, |r| r.from);
    for r in plan.reschedules.iter().filter(|r| r.consent_at <= at) {
        time = Some(r.to);
    }
    time.or(plan.scheduled_at)
}

/// The order or intent amount comes with the outcome of a visit that took place.
fn amount(base: &VisitPlan, after: &VisitPlan) -> Verdict {
    if base.outcome_amount_fen == after.outcome_amount_fen {
        return Ok(());
    }
    if after.status != VisitStatus::Attended || after.outcome_amount_fen.is_some_and(|a| a < 0) {
        return Err(Violation::new(
            "visit_plan.amount_after_attendance",
            "/outcome_amount_fen",
            "成交或意向金额在拜访完成后记录，且不能为负 / the order amount is recorded once \
             the visit took place, and is never negative",
        ));
    }
    Ok(())
}

/// Whether this write takes a lifecycle step (as opposed to editing the plan's free fields).
fn lifecycle_changed(base: &VisitPlan, after: &VisitPlan, steps: &[&StatusChange]) -> bool {
    !steps.is_empty()
        || base.status != after.status
        || base.reschedules != after.reschedules
        || base.confirmations != after.confirmations
        || base.outcome_amount_fen != after.outcome_amount_fen
        || (base.status != VisitStatus::Planned && base.scheduled_at != after.scheduled_at)
}

/// Steps are the rep's, or her supervisor's (or the marketing manager's).
pub(super) fn who(rep: &UserId, ctx: &Context<'_>) -> Verdict {
    if rep == ctx.user || ctx.supervises(rep) {
        return Ok(());
    }
    Err(Violation::new(
        "visit_plan.who",
        "/rep",
        "只有负责该拜访的销售人员或其主管可以办理 / only the visit's rep or her supervisor may \
         take this step",
    ))
}

/// An entry names the person who writes it.
pub(super) fn by_actor(rule: &'static str, field: &str, by: &UserId, ctx: &Context<'_>) -> Verdict {
    if by == ctx.user {
        return Ok(());
    }
    Err(Violation::new(
        rule,
        field,
        "记录须署名为办理人本人 / an entry is signed by the person who writes it",
    ))
}

/// A rule function's refusal as the judge's.
pub(super) fn from_error(rule: &'static str, e: crate::Error) -> Violation {
    match e {
        crate::Error::InvalidInput { field, message } => {
            Violation::new(rule, format!("/{field}"), message)
        }
        other => Violation::new(rule, "", other.to_string()),
    }
}

#[cfg(test)]
#[path = "visit_plan_tests.rs"]
mod tests;
