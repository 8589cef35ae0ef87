//! The append-only lists of a lead (follow-ups, history, stage moves) and the lost request
//! with its confirmation: the entries each write adds, judged one by one.

use super::{SUPERVISORS, is_closed, refuse};
use crate::lifecycle::{Context, Verdict, Violation, added, claimed_time};
use crate::model::{LeadReferral, StringEnum};
use crate::rules::lead::{LOST_MIN_FOLLOW_UP_DAYS, follow_up_days};

fn by_actor(rule: &'static str, field: &str, by: &str, ctx: &Context<'_>) -> Verdict {
    if by == ctx.user.as_str() {
        return Ok(());
    }
    refuse(
        rule,
        field,
        "只能以本人名义记录 / an entry is recorded in the name of the person writing it",
    )
}

/// When the lead closed (its latest history entry to a closed status), if it did.
fn closed_at(l: &LeadReferral) -> Option<chrono::DateTime<chrono::Utc>> {
    if !is_closed(&l.status) {
        return None;
    }
    let status = l.status.as_str();
    l.history
        .iter()
        .filter(|h| h.to == status)
        .map(|h| h.at)
        .min()
}

pub(super) fn follow_ups(b: &LeadReferral, a: &LeadReferral, ctx: &Context<'_>) -> Verdict {
    const RULE: &str = "lead.follow_up";
    let new = added(RULE, "/follow_ups", &b.follow_ups, &a.follow_ups, |f| &f.id)?;
    let closed = closed_at(b);
    for f in new {
        by_actor(RULE, "/follow_ups", f.by.as_str(), ctx)?;
        if f.id.trim().is_empty() || f.said.trim().is_empty() || f.next_step.trim().is_empty() {
            return refuse(
                RULE,
                "/follow_ups",
                "跟进记录须有编号、沟通内容和下一步计划（虚假跟进将受处罚）/ a follow-up has an \
                 id, what was said and the next step (fake follow-ups are fined)",
            );
        }
        claimed_time(ctx, RULE, "/follow_ups", f.at)?;
        if closed.is_some_and(|c| f.at > c) {
            return refuse(
                RULE,
                "/follow_ups",
                "线索已结束，不能再跟进 / the lead is closed: no follow-ups after it closed",
            );
        }
    }
    Ok(())
}

pub(super) fn history(b: &LeadReferral, a: &LeadReferral, ctx: &Context<'_>) -> Verdict {
    const RULE: &str = "lead.history";
    for h in added(RULE, "/history", &b.history, &a.history, |h| &h.id)? {
        by_actor(RULE, "/history", h.by.as_str(), ctx)?;
        claimed_time(ctx, RULE, "/history", h.at)?;
    }
    Ok(())
}

pub(super) fn stages(b: &LeadReferral, a: &LeadReferral, ctx: &Context<'_>) -> Verdict {
    const RULE: &str = "lead.stage";
    let new = added(
        RULE,
        "/stage_changes",
        &b.stage_changes,
        &a.stage_changes,
        |s| &s.id,
    )?;
    if !new.is_empty() && is_closed(&b.status) {
        return refuse(
            RULE,
            "/stage",
            "已结束的线索不能推进阶段 / a closed lead does not move along the pipeline",
        );
    }
    let mut stage = b.stage.clone();
    for s in new {
        by_actor(RULE, "/stage_changes", s.by.as_str(), ctx)?;
        claimed_time(ctx, RULE, "/stage_changes", s.at)?;
        let justified = a
            .follow_ups
            .iter()
            .any(|f| f.id == s.follow_up_id && f.by == s.by)
            && a.stage_changes
                .iter()
                .filter(|o| o.follow_up_id == s.follow_up_id)
                .count()
                == 1;
        if s.from != stage || stage.next().as_ref() != Some(&s.to) || !justified {
            return refuse(
                RULE,
                "/stage",
                "阶段只能逐级推进（接触→需求→方案→价格→合同），每一步须有一次跟进为据 / the stage \
                 moves one step forward at a time (contact → needs → proposal → price → \
                 contract), each step with a follow-up of its own",
            );
        }
        stage = s.to.clone();
    }
    if a.stage != stage {
        return refuse(
            RULE,
            "/stage",
            "阶段须通过推进记录改变 / the stage changes only by a recorded stage move",
        );
    }
    Ok(())
}

pub(super) fn lost_request(b: &LeadReferral, a: &LeadReferral, ctx: &Context<'_>) -> Verdict {
    const RULE: &str = "lead.lost_request";
    match (&b.lost_request, &a.lost_request) {
        (None, None) => Ok(()),
        (Some(x), Some(y)) if x == y => Ok(()),
        (Some(old), None) => {
            // Confirmed (kept), won, declined or withdrawn.
            let decider =
                ctx.user == &old.by || ctx.role_in(SUPERVISORS) && ctx.supervises(&a.meta.owner);
            if decider || a.status != b.status {
                return Ok(());
            }
            refuse(
                RULE,
                "/lost_request",
                "只有申请人或其主管能撤回或驳回战败申请 / only the rep who asked or her \
                 supervisor withdraws or declines a lost request",
            )
        }
        (Some(_), Some(_)) => refuse(
            RULE,
            "/lost_request",
            "战败申请不能修改 / a lost request is not edited",
        ),
        (None, Some(r)) => {
            by_actor(RULE, "/lost_request", r.by.as_str(), ctx)?;
            if is_closed(&b.status) || r.reason.trim().is_empty() || r.id.trim().is_empty() {
                return refuse(
                    RULE,
                    "/lost_request",
                    "战败申请须针对跟进中的线索并写明原因 / a lost request is for an open lead \
                     and gives the reason",
                );
            }
            if follow_up_days(a, ctx.calendar) < LOST_MIN_FOLLOW_UP_DAYS {
                return refuse(
                    RULE,
                    "/follow_ups",
                    "须至少在两个不同日期跟进过才能申请战败（虚假战败将受处罚）/ a lead must be \
                     followed up on at least two different days before it can be requested \
                     lost (fake lost marks are fined)",
                );
            }
            claimed_time(ctx, RULE, "/lost_request/at", r.at)
        }
    }
}

/// open → lost: a request stood before, and a supervisor of the owner (not the requester)
/// confirms it with its reason.
pub(super) fn confirmed_lost(b: &LeadReferral, a: &LeadReferral, ctx: &Context<'_>) -> Verdict {
    const RULE: &str = "lead.lost";
    let Some(request) = &b.lost_request else {
        return refuse(
            RULE,
            "/status",
            "战败须先由销售申请、再由主管确认 / a lead is lost only when the rep's lost request \
             is confirmed by her supervisor",
        );
    };
    let supervisor = ctx.role_in(SUPERVISORS) && ctx.supervises(&a.meta.owner);
    if !supervisor || ctx.user == &request.by {
        return Err(Violation::new(
            RULE,
            "/status",
            "只有该销售的主管能确认战败，申请人不能自己确认 / only a supervisor of the lead's \
             rep confirms it lost, never the rep who asked",
        ));
    }
    if a.lost_reason != request.reason {
        return refuse(
            RULE,
            "/lost_reason",
            "战败原因须与申请一致 / the lost reason is the one requested",
        );
    }
    Ok(())
}
