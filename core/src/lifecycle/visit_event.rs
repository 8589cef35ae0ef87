//! Events (活动或会议, seed 000): a visit plan with an `event` invites many customers, and each
//! invitee carries their own invitation. The plan itself only goes planned → cancelled; the
//! steps are the invitees'.
//!
//! Rules (rule id — seed 000 — what it says):
//! - `visit_plan.event_steps_per_invitee`: an event's own status moves only to cancelled; its
//!   invitation fields stay empty (they belong to the invitees). The event cannot be removed.
//! - `visit_plan.event_open`: invitees are added and answered only while the event is planned.
//! - `visit_plan.invitees_kept`: an invitee, once added, stays; who they are (customer, name,
//!   rep) and every time recorded for them never change.
//! - `visit_plan.invitee_invited`: a new invitee is `invited`, with the method and a claimed
//!   `invited_at`, and the event has a time and place (001 §7).
//! - `visit_plan.invitee_transition`: invited → accepted (attendees ≥ 1) / declined (reason);
//!   accepted → attended / no_show, from the event's day (`visit_plan.attendance_on_the_day`).
//! - `visit_plan.invitee_reconfirm_before_event` (再次与客户确认参会信息) and
//!   `visit_plan.invitee_guide_before_event` (为客户提供活动或会议指南): once accepted, before
//!   the event starts.
//! - `visit_plan.invitee_follow_up_after_event` (活动或会议结束后及时沟通): for those who came,
//!   from the event's start on, with what was learnt.
//! - `visit_plan.invitee_amount` (销售业绩): the order or intent amount of a customer who came.
//! - `visit_plan.who`: an invitee's steps are taken by the invitee's rep, her supervisor, or the
//!   event's organiser (the plan's rep).
//!
//! Choices: a marketing manager thinks of one event with a guest list, not of a visit plan per
//! guest, so the event is one record and each guest a list entry; concurrent edits to different
//! guests merge. Re-confirmation and the guide are recommended, not required before attendance
//! (a guest who walks in still counts). An answer arriving together with its invitation (a
//! phone offline all along) is judged as the two steps.

use super::{by_actor, day_has_come, from_error, who};
use crate::lifecycle::{Context, Verdict, Violation, claimed_time};
use crate::model::{Invitee, StatusChange, StringEnum, VisitPlan, VisitStatus};
use crate::rules::visit_plan as rules;

pub(super) fn judge(
    base: &VisitPlan,
    after: &VisitPlan,
    ctx: &Context<'_>,
    passed: &[(&StatusChange, VisitStatus)],
) -> Verdict {
    if base.event.is_some() && after.event.is_none() {
        return Err(steps_per_invitee(
            "活动不能被删除 / an event cannot be removed",
        ));
    }
    if after.event.is_none() {
        return Ok(());
    }
    if passed.iter().any(|(_, to)| *to != VisitStatus::Cancelled) || after.invited_at.is_some() {
        return Err(steps_per_invitee(
            "活动本身只能取消；邀约、答复和到场按每位受邀客户记录 / an event itself can only be \
             cancelled; invitations, answers and attendance are recorded per invitee",
        ));
    }
    invitees(base, after, ctx)
}

fn steps_per_invitee(reason: &str) -> Violation {
    Violation::new("visit_plan.event_steps_per_invitee", "/event", reason)
}

fn invitees(base: &VisitPlan, after: &VisitPlan, ctx: &Context<'_>) -> Verdict {
    let none = Vec::new();
    let old = base.event.as_ref().map_or(&none, |e| &e.invitees);
    let new = after.event.as_ref().map_or(&none, |e| &e.invitees);
    for o in old {
        if !new.iter().any(|n| n.id == o.id) {
            return Err(kept("受邀客户不能删除 / an invitee cannot be removed"));
        }
    }
    for (n, invitee) in new.iter().enumerate() {
        let before = old.iter().find(|o| o.id == invitee.id);
        if before == Some(invitee) {
            continue;
        }
        if after.status != VisitStatus::Planned || base.status != VisitStatus::Planned {
            return Err(Violation::new(
                "visit_plan.event_open",
                format!("/event/invitees/{n}"),
                "活动已取消或结束，不能再邀约或登记 / the event is closed to invitations",
            ));
        }
        who_for(after, invitee, ctx)?;
        Step {
            plan: after,
            ctx,
            n,
        }
        .judge(before, invitee)?;
    }
    Ok(())
}

fn kept(reason: &str) -> Violation {
    Violation::new("visit_plan.invitees_kept", "/event/invitees", reason)
}

/// The invitee's rep, her supervisor, or the event's organiser.
fn who_for(plan: &VisitPlan, invitee: &Invitee, ctx: &Context<'_>) -> Verdict {
    if rules::rep_of(plan) == ctx.user {
        return Ok(());
    }
    who(&invitee.rep, ctx)
}

/// One invitee's change, judged against the event.
struct Step<'a> {
    plan: &'a VisitPlan,
    ctx: &'a Context<'a>,
    n: usize,
}

impl Step<'_> {
    fn judge(&self, before: Option<&Invitee>, after: &Invitee) -> Verdict {
        match before {
            Some(b) => self.frozen(b, after)?,
            None => self.invited(after)?,
        }
        let from = before.map_or(VisitStatus::Invited, |b| b.status.clone());
        self.path(&from, before, after)?;
        self.extras(before, after)
    }

    fn field(&self, name: &str) -> String {
        format!("/event/invitees/{}/{name}", self.n)
    }

    fn claimed(
        &self,
        rule: &'static str,
        name: &str,
        at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Verdict {
        match at {
            Some(at) => claimed_time(self.ctx, rule, &self.field(name), at),
            None => Err(Violation::new(
                rule,
                self.field(name),
                "须记录时间 / the time is required",
            )),
        }
    }

    /// A new invitee: invited now, by a stated method, to an event with a time and place.
    fn invited(&self, i: &Invitee) -> Verdict {
        let rule = "visit_plan.invitee_invited";
        rules::check_plan(self.plan).map_err(|e| from_error(rule, e))?;
        if i.method.is_none() || i.rep.as_str().is_empty() {
            return Err(Violation::new(
                rule,
                self.field("method"),
                "须记录邀约方式和负责邀约的销售人员 / the invitation method and the inviting \
                 rep are required",
            ));
        }
        self.claimed(rule, "invited_at", i.invited_at)
    }

    /// Who the invitee is, and every time already recorded, stay as they are.
    fn frozen(&self, b: &Invitee, a: &Invitee) -> Verdict {
        let set_once =
            |x: &Option<chrono::DateTime<chrono::Utc>>,
             y: &Option<chrono::DateTime<chrono::Utc>>| { x.is_none() || x == y };
        let same = b.customer_id == a.customer_id
            && b.name == a.name
            && b.rep == a.rep
            && b.method == a.method
            && b.invited_at == a.invited_at
            && set_once(&b.responded_at, &a.responded_at)
            && (b.attendees.is_none() || b.attendees == a.attendees)
            && (b.decline_reason.is_empty() || b.decline_reason == a.decline_reason)
            && set_once(&b.reconfirmed_at, &a.reconfirmed_at)
            && set_once(&b.guide_sent_at, &a.guide_sent_at)
            && set_once(&b.attended_at, &a.attended_at)
            && (b.follow_up.is_none() || b.follow_up == a.follow_up);
        if same {
            Ok(())
        } else {
            Err(Violation::new(
                "visit_plan.invitees_kept",
                format!("/event/invitees/{}", self.n),
                "受邀客户的身份和已记录的时间不能修改 / an invitee's identity and recorded times \
                 never change",
            ))
        }
    }

    /// invited → accepted / declined → attended / no_show, each step with what it needs.
    fn path(&self, from: &VisitStatus, before: Option<&Invitee>, a: &Invitee) -> Verdict {
        use VisitStatus as S;
        let steps: &[S] = match (from, &a.status) {
            (x, y) if x == y => &[],
            (S::Invited, S::Accepted) => &[S::Accepted],
            (S::Invited, S::Declined) => &[S::Declined],
            (S::Invited, S::Attended) => &[S::Accepted, S::Attended],
            (S::Invited, S::NoShow) => &[S::Accepted, S::NoShow],
            (S::Accepted, S::Attended) => &[S::Attended],
            (S::Accepted, S::NoShow) => &[S::NoShow],
            _ => {
                return Err(Violation::new(
                    "visit_plan.invitee_transition",
                    self.field("status"),
                    format!(
                        "受邀客户不能从“{0}”变为“{1}” / an invitee cannot go from `{0}` to `{1}`",
                        from.as_str(),
                        a.status.as_str()
                    ),
                ));
            }
        };
        let b = before.cloned().unwrap_or_default();
        self.step_fields(&b, a, steps)?;
        for s in steps {
            self.requirement(s, a)?;
        }
        Ok(())
    }

    /// The answer and attendance fields are written only by their step.
    fn step_fields(&self, b: &Invitee, a: &Invitee, steps: &[VisitStatus]) -> Verdict {
        let by = |s: VisitStatus| steps.contains(&s);
        let answered = by(VisitStatus::Accepted) || by(VisitStatus::Declined);
        let checks = [
            ("responded_at", b.responded_at != a.responded_at, answered),
            (
                "attendees",
                b.attendees != a.attendees,
                by(VisitStatus::Accepted),
            ),
            (
                "decline_reason",
                b.decline_reason != a.decline_reason,
                by(VisitStatus::Declined),
            ),
            (
                "attended_at",
                b.attended_at != a.attended_at,
                by(VisitStatus::Attended),
            ),
        ];
        match checks.iter().find(|(_, changed, step)| *changed && !step) {
            Some((name, _, _)) => Err(Violation::new(
                "visit_plan.invitee_transition",
                self.field(name),
                "该字段只能由相应步骤写入 / this field is written only by its step",
            )),
            None => Ok(()),
        }
    }

    fn requirement(&self, step: &VisitStatus, a: &Invitee) -> Verdict {
        let rule = "visit_plan.invitee_transition";
        match step {
            VisitStatus::Accepted if a.attendees.is_none_or(|n| n == 0) => Err(Violation::new(
                rule,
                self.field("attendees"),
                "接受邀约须填写参会人数（至少 1 人）/ an accepted invitation needs the number of \
                 attendees (at least 1)",
            )),
            VisitStatus::Declined if a.decline_reason.trim().is_empty() => Err(Violation::new(
                rule,
                self.field("decline_reason"),
                "拒绝邀约须记录原因 / a declined invitation records the reason",
            )),
            VisitStatus::Accepted | VisitStatus::Declined => {
                self.claimed(rule, "responded_at", a.responded_at)
            }
            VisitStatus::Attended => {
                self.claimed(
                    "visit_plan.attendance_on_the_day",
                    "attended_at",
                    a.attended_at,
                )?;
                let at = a.attended_at.unwrap_or(self.ctx.now);
                day_has_come(self.plan.scheduled_at, at, self.ctx)
            }
            VisitStatus::NoShow => day_has_come(self.plan.scheduled_at, self.ctx.now, self.ctx),
            _ => Ok(()),
        }
    }

    /// Re-confirmation, the guide, the follow-up and the amount.
    fn extras(&self, before: Option<&Invitee>, a: &Invitee) -> Verdict {
        let b = before.cloned().unwrap_or_default();
        let accepted = matches!(
            a.status,
            VisitStatus::Accepted | VisitStatus::Attended | VisitStatus::NoShow
        );
        let start = self.plan.scheduled_at;
        for (name, was, now, rule) in [
            (
                "reconfirmed_at",
                b.reconfirmed_at,
                a.reconfirmed_at,
                "visit_plan.invitee_reconfirm_before_event",
            ),
            (
                "guide_sent_at",
                b.guide_sent_at,
                a.guide_sent_at,
                "visit_plan.invitee_guide_before_event",
            ),
        ] {
            if was == now {
                continue;
            }
            self.claimed(rule, name, now)?;
            if !accepted || now.zip(start).is_none_or(|(at, s)| at >= s) {
                return Err(Violation::new(
                    rule,
                    self.field(name),
                    "再次确认和参会指南在客户接受邀约后、活动开始前进行 / re-confirmation and the \
                     guide come after the customer accepted and before the event starts",
                ));
            }
        }
        if b.follow_up != a.follow_up {
            self.follow_up(a)?;
        }
        if b.outcome_amount_fen != a.outcome_amount_fen
            && (a.status != VisitStatus::Attended || a.outcome_amount_fen.is_some_and(|x| x < 0))
        {
            return Err(Violation::new(
                "visit_plan.invitee_amount",
                self.field("outcome_amount_fen"),
                "成交或意向金额只记录给到场的客户，且不能为负 / the order amount is recorded for \
                 a customer who came, and is never negative",
            ));
        }
        Ok(())
    }

    fn follow_up(&self, a: &Invitee) -> Verdict {
        let rule = "visit_plan.invitee_follow_up_after_event";
        let Some(f) = &a.follow_up else {
            return Err(kept("跟进记录不能删除 / a follow-up cannot be removed"));
        };
        claimed_time(self.ctx, rule, &self.field("follow_up"), f.at)?;
        by_actor(rule, &self.field("follow_up"), &f.by, self.ctx)?;
        let after_start = self.plan.scheduled_at.is_some_and(|s| f.at >= s);
        if a.status != VisitStatus::Attended || !after_start || f.note.trim().is_empty() {
            return Err(Violation::new(
                rule,
                self.field("follow_up"),
                "活动结束后跟进到场客户，并记录客户的感受和需求 / the follow-up is made after the \
                 event, with a customer who came, and records what they said",
            ));
        }
        Ok(())
    }
}
