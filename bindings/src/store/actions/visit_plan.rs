//! The steps of a visit plan and its invitation (seeds 000, 002).

use std::sync::Arc;

use fieldbook_core::rules::visit_plan;

use crate::background::run;
use crate::enums::InvitationMethod;
use crate::error::Result;
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
