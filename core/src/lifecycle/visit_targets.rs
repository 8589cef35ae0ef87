//! Invitation targets (邀约目标设定, seed 000: 销售部门负责制定客户邀约计划和目标 … 将邀约目标分解到
//! 各个部门和销售人员): a target count of invitations sent and accepted, per rep per month.
//!
//! Rules:
//! - `visit_plan.targets_append_only`: a target set stays; a revision is a new entry, and the
//!   latest one for a rep and month counts (so two supervisors offline merge cleanly).
//! - `visit_plan.target_set_by_supervisor`: targets are set by the rep's supervisor or the
//!   marketing manager (the sales department), signed by them, at a claimed time; never by the
//!   rep herself.
//! - `visit_plan.target_counts`: the month is given by its first day; a target asks for at least
//!   one invitation, and no more acceptances than invitations.

use chrono::Datelike;

use super::by_actor;
use crate::access::Role;
use crate::lifecycle::{Context, Verdict, Violation, added, claimed_time};
use crate::model::VisitPlan;

pub(super) fn judge(base: &VisitPlan, after: &VisitPlan, ctx: &Context<'_>) -> Verdict {
    let rule = "visit_plan.targets_append_only";
    let new = added(rule, "/targets", &base.targets, &after.targets, |t| &t.id)?;
    let by = "visit_plan.target_set_by_supervisor";
    for t in new {
        let managers = [Role::Supervisor, Role::MarketingManager];
        if !ctx.role_in(&managers) || !ctx.supervises(&t.rep) || t.rep == *ctx.user {
            return Err(Violation::new(
                by,
                "/targets",
                "邀约目标由销售人员的主管或营销经理制定 / invitation targets are set by the rep's \
                 supervisor or the marketing manager",
            ));
        }
        by_actor(by, "/targets", &t.set_by, ctx)?;
        claimed_time(ctx, by, "/targets", t.set_at)?;
        if t.month.day() != 1 || t.invitations == 0 || t.accepted > t.invitations {
            return Err(Violation::new(
                "visit_plan.target_counts",
                "/targets",
                "目标按月（月份第一天）设定，至少 1 次邀约，接受数不超过邀约数 / a target is set \
                 for a month (its first day), asks for at least one invitation, and no more \
                 acceptances than invitations",
            ));
        }
    }
    Ok(())
}
