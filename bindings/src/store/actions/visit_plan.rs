//! The steps of a visit plan and its invitation (seeds 000, 001 §7, 002 篇6): plan, invite,
//! confirm, reschedule with consent, answer, record attendance, cancel, record the amount.

use std::sync::Arc;
use std::time::SystemTime;

use fieldbook_core::model as core;
use fieldbook_core::rules::visit_plan;

use crate::background::run;
use crate::convert::{CalendarDate, date, dt, record_id, ts};
use crate::enums::{ConfirmationKind, InvitationMethod};
use crate::error::Result;
use crate::observer::ChangeOrigin;
use crate::records::VisitPlan;
use crate::store::FieldbookStore;

#[uniffi::export]
impl FieldbookStore {
    /// Records that the customer was invited (电话/邮件/短信/上门拜访); the plan must be planned.
    pub async fn send_invitation(
        self: Arc<Self>,
        plan_id: String,
        method: InvitationMethod,
    ) -> Result<VisitPlan> {
        run(move || self.act::<VisitPlan>(&plan_id, |p, a| visit_plan::invite(p, method.into(), a)))
            .await
    }

    /// The customer accepted, coming with `attendees` people (at least 1).
    pub async fn accept_invitation(
        self: Arc<Self>,
        plan_id: String,
        attendees: u32,
    ) -> Result<VisitPlan> {
        run(move || self.act::<VisitPlan>(&plan_id, |p, a| visit_plan::accept(p, attendees, a)))
            .await
    }

    /// The customer declined; the reason is required and kept.
    pub async fn decline_invitation(
        self: Arc<Self>,
        plan_id: String,
        reason: String,
    ) -> Result<VisitPlan> {
        run(move || self.act::<VisitPlan>(&plan_id, |p, a| visit_plan::decline(p, &reason, a)))
            .await
    }

    /// On or after the appointment's day: whether the customer came (attended / no-show).
    pub async fn record_attendance(
        self: Arc<Self>,
        plan_id: String,
        attended: bool,
    ) -> Result<VisitPlan> {
        run(move || {
            let cal = self.calendar.clone();
            self.act::<VisitPlan>(&plan_id, |p, a| match attended {
                true => visit_plan::mark_attended(p, a, &cal),
                false => visit_plan::mark_no_show(p, a, &cal),
            })
        })
        .await
    }
}

#[uniffi::export]
impl FieldbookStore {
    /// Plans a visit (or, with `event`, a meeting or seminar): the customer (per invitee for an
    /// event), purpose, time and place are required (seed 001 §7).
    pub async fn plan_visit(self: Arc<Self>, plan: VisitPlan) -> Result<VisitPlan> {
        run(move || {
            let core = self.with_entry_ids(core::VisitPlan::try_from(plan)?)?;
            visit_plan::check_plan(&core)?;
            let stored = self.store.create(core)?;
            self.changed(stored.meta.id.to_string(), ChangeOrigin::Local);
            Ok(stored.into())
        })
        .await
    }

    /// Records a confirmation call (≥ 5 working days ahead with the hour fixed, or within the
    /// 2 hours before the appointment), seed 002 篇6.
    pub async fn confirm_appointment(
        self: Arc<Self>,
        plan_id: String,
        kind: ConfirmationKind,
    ) -> Result<VisitPlan> {
        run(move || {
            let cal = self.calendar.clone();
            self.act::<VisitPlan>(&plan_id, |p, a| {
                visit_plan::confirm(p, kind.into(), a, &cal)
            })
        })
        .await
    }

    /// Moves the appointment (改约) with the customer's consent: who agreed, and when.
    pub async fn reschedule_visit(
        self: Arc<Self>,
        plan_id: String,
        to: SystemTime,
        consent_by: String,
        consent_at: SystemTime,
        reason: String,
    ) -> Result<VisitPlan> {
        run(move || {
            let req = visit_plan::RescheduleRequest {
                to: dt("to", to)?,
                consent_by,
                consent_at: dt("consent_at", consent_at)?,
                reason,
            };
            self.act::<VisitPlan>(&plan_id, |p, a| visit_plan::reschedule(p, &req, a))
        })
        .await
    }

    /// Cancels an open plan; the reason is kept in its history.
    pub async fn cancel_visit(
        self: Arc<Self>,
        plan_id: String,
        reason: String,
    ) -> Result<VisitPlan> {
        run(move || self.act::<VisitPlan>(&plan_id, |p, a| visit_plan::cancel(p, &reason, a))).await
    }

    /// The order or intent amount (fen) a visit that took place led to (seed 000 销售业绩).
    pub async fn record_visit_outcome(
        self: Arc<Self>,
        plan_id: String,
        amount_fen: i64,
    ) -> Result<VisitPlan> {
        run(move || {
            self.act::<VisitPlan>(&plan_id, |p, _| {
                visit_plan::record_outcome_amount(p, amount_fen)
            })
        })
        .await
    }

    /// When to arrive and what is confirmed, for the rep's appointment screen.
    pub async fn appointment(self: Arc<Self>, plan_id: String) -> Result<Appointment> {
        run(move || {
            let plan: core::VisitPlan = self.store.get(record_id("plan_id", &plan_id)?)?;
            let window = visit_plan::arrival_window(&plan);
            Ok(Appointment {
                arrive_from: window.map(|w| ts(w.0)),
                arrive_by: window.map(|w| ts(w.1)),
                first_confirmation_due_on: visit_plan::first_confirmation_due_on(
                    &plan,
                    &self.calendar,
                )
                .map(date),
                five_working_days_confirmed: visit_plan::is_confirmed(
                    &plan,
                    &core::ConfirmationKind::FiveWorkingDays,
                ),
                one_hour_confirmed: visit_plan::is_confirmed(
                    &plan,
                    &core::ConfirmationKind::OneHour,
                ),
            })
        })
        .await
    }
}

/// The appointment of a plan as the rep prepares it (seed 002 篇6).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Appointment {
    /// Arrive 5–10 minutes early: not before this…
    pub arrive_from: Option<SystemTime>,
    /// …and by this.
    pub arrive_by: Option<SystemTime>,
    /// The last day for the "5 working days ahead" call, when the plan needs confirmations.
    pub first_confirmation_due_on: Option<CalendarDate>,
    /// Confirmations made since the latest reschedule.
    pub five_working_days_confirmed: bool,
    pub one_hour_confirmed: bool,
}
