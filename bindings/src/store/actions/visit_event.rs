//! The steps of an event's invitees (seed 000): invite a customer, record the answer,
//! re-confirm and send the guide before the event, record attendance, follow up after it; and
//! the invitation targets a supervisor sets per rep per month.

use std::sync::Arc;

use fieldbook_core::model as core;
use fieldbook_core::rules::{Action, visit_plan_event as event, visit_plan_targets as targets};
use fieldbook_core::store::Filter;

use crate::background::run;
use crate::convert::{CalendarDate, naive_date, record_id_opt, user};
use crate::enums::InvitationMethod;
use crate::error::Result;
use crate::observer::ChangeOrigin;
use crate::records::VisitPlan;
use crate::store::FieldbookStore;

#[uniffi::export]
impl FieldbookStore {
    /// Invites a customer to the event `plan_id` (the signed-in rep invites, now).
    pub async fn invite_to_event(
        self: Arc<Self>,
        plan_id: String,
        customer_id: Option<String>,
        name: String,
        method: InvitationMethod,
    ) -> Result<VisitPlan> {
        run(move || {
            let req = event::InviteeRequest {
                customer_id: record_id_opt("customer_id", customer_id)?,
                name,
                method: method.into(),
            };
            self.act::<VisitPlan>(&plan_id, |p, a| {
                event::invite_to_event(p, &req, a).map(drop)
            })
        })
        .await
    }

    /// The invitee accepted, coming with `attendees` people (at least 1).
    pub async fn accept_event_invitation(
        self: Arc<Self>,
        plan_id: String,
        invitee_id: String,
        attendees: u32,
    ) -> Result<VisitPlan> {
        run(move || {
            self.act::<VisitPlan>(&plan_id, |p, a| {
                event::accept_invitee(p, &invitee_id, attendees, a)
            })
        })
        .await
    }

    /// The invitee declined; the reason is required and kept.
    pub async fn decline_event_invitation(
        self: Arc<Self>,
        plan_id: String,
        invitee_id: String,
        reason: String,
    ) -> Result<VisitPlan> {
        run(move || {
            self.act::<VisitPlan>(&plan_id, |p, a| {
                event::decline_invitee(p, &invitee_id, &reason, a)
            })
        })
        .await
    }

    /// 再次确认参会信息: before the event, once the invitee accepted.
    pub async fn reconfirm_event_invitee(
        self: Arc<Self>,
        plan_id: String,
        invitee_id: String,
    ) -> Result<VisitPlan> {
        run(move || {
            self.act::<VisitPlan>(&plan_id, |p, a| event::reconfirm_invitee(p, &invitee_id, a))
        })
        .await
    }

    /// 发送参会指南 (route, what to bring): before the event, once the invitee accepted.
    pub async fn send_event_guide(
        self: Arc<Self>,
        plan_id: String,
        invitee_id: String,
    ) -> Result<VisitPlan> {
        run(move || {
            self.act::<VisitPlan>(&plan_id, |p, a| event::send_event_guide(p, &invitee_id, a))
        })
        .await
    }

    /// From the event's day on: whether the invitee came.
    pub async fn record_event_attendance(
        self: Arc<Self>,
        plan_id: String,
        invitee_id: String,
        attended: bool,
    ) -> Result<VisitPlan> {
        run(move || {
            self.act::<VisitPlan>(&plan_id, |p, a| {
                event::record_invitee_attendance(p, &invitee_id, attended, a)
            })
        })
        .await
    }

    /// After the event: what a guest who came said, and the order or intent amount (fen).
    pub async fn follow_up_event_invitee(
        self: Arc<Self>,
        plan_id: String,
        invitee_id: String,
        note: String,
        amount_fen: Option<i64>,
    ) -> Result<VisitPlan> {
        run(move || {
            self.act::<VisitPlan>(&plan_id, |p, a| {
                event::follow_up_invitee(p, &invitee_id, &note, amount_fen, a)
            })
        })
        .await
    }

    /// Sets `rep`'s invitation target for the month of `month` (a supervisor of the rep or the
    /// marketing manager); kept in the signed-in user's invitation plan for that month.
    pub async fn set_invitation_target(
        self: Arc<Self>,
        rep: String,
        month: CalendarDate,
        invitations: u32,
        accepted: u32,
    ) -> Result<VisitPlan> {
        run(move || {
            let rep = user("rep", rep)?;
            let month = targets::month_of(naive_date("month", month)?);
            let me = self.store.user().clone();
            let plans: Vec<core::VisitPlan> = self.store.read_projected(&Filter::default())?;
            let mine = plans.into_iter().find(|p| {
                p.rep == me && p.event.is_none() && p.targets.iter().any(|t| t.month == month)
            });
            let action = Action::on(&self.store);
            let set = |p: &mut core::VisitPlan| {
                targets::set_target(p, rep.clone(), month, invitations, accepted, &action)
            };
            let stored = match mine {
                Some(p) => self
                    .store
                    .update::<core::VisitPlan>(p.meta.id, |p| set(p))?,
                None => {
                    let mut plan = core::VisitPlan {
                        rep: me,
                        purpose: format!("邀约目标 / invitation targets {}", month.format("%Y-%m")),
                        ..core::VisitPlan::default()
                    };
                    set(&mut plan)?;
                    self.store.create(plan)?
                }
            };
            self.changed(stored.meta.id.to_string(), ChangeOrigin::Local);
            Ok(stored.into())
        })
        .await
    }
}
