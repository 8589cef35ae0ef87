//! The lifecycle of a ReceptionNote (seed 001 §1–2): which steps are legal, from which state,
//! by whom. The steps are the ones of `rules::reception`; a change is judged as the step it
//! makes, whoever wrote it (an FFI action, a raw `update_reception_note`, a stock client).
//!
//! Rules, each named in its refusal:
//! - `reception.voucher_by_cs_manager`: the visit voucher (来访凭证) is written by the
//!   customer-service manager, in her own name (seed 001 §1.5(1): the host applies for the
//!   voucher "to the relevant department"; the reception department is customer service).
//! - `reception.voucher_no_self_approval`: never by the host or the reception's creator.
//! - `reception.voucher_before_visit`: approved before `visit_at`; `approved_at` is a claimed
//!   time (`reception.voucher_claimed_time`).
//! - `reception.voucher_fixed_after_visit`: once held or cancelled, the voucher stays.
//! - `reception.held_needs_voucher`: planned → held only with a voucher that stood before this
//!   change (no voucher, no visit, seed 001 §1.5(1)); `held_at` is a claimed time
//!   (`reception.held_at_claimed`), not before the voucher.
//! - `reception.senior_escort`: every category except "general" names a senior escort before
//!   it is held (seed 001 §1.4(1)③ asks it for key customers; a manager expects it for
//!   government visitors and important customers too).
//! - `reception.held_by_host`, `reception.cancel_by_host`: the host, her supervisor, the
//!   marketing manager or the customer-service manager records the step.
//! - `reception.cancel_reason`: planned → cancelled keeps the reason in the history.
//! - `reception.status_final`: held and cancelled are final; `reception.held_at_fixed`:
//!   `held_at` changes only with the step to held.
//! - `reception.history_append_only`, `reception.history_entry`: the history is append-only and
//!   records each status step once, by the actor, at a claimed time.
//! - `reception.photos_need_permission`: photos are forbidden unless permitted (seed 001
//!   §1.5(3), "special permission"): the permission is given by the customer-service manager,
//!   a supervisor or the marketing manager, not by the host herself.
//! - The expense rules (`reception/expense.rs`).

mod expense;

use super::{Context, Verdict, Violation, added, claimed_time};
use crate::access::Role;
use crate::model::{ReceptionNote, ReceptionStatus, StringEnum, VisitVoucher};
use crate::rules::reception::needs_senior_escort;

/// Who may record a reception's steps besides its host.
const RECEPTION_DESK: &[Role] = &[Role::CustomerServiceManager, Role::MarketingManager];

pub(super) fn judge(
    before: Option<&ReceptionNote>,
    after: &ReceptionNote,
    ctx: &Context<'_>,
) -> Verdict {
    // A new reception is judged as steps from an empty planned one.
    let blank = ReceptionNote::default();
    let b = before.unwrap_or(&blank);
    // The step itself first (its refusal says most), then its history entry.
    voucher(b, after, ctx)?;
    status(b, after, ctx)?;
    history(b, after, ctx)?;
    photos(b, after, ctx)?;
    expense::judge(b, after, ctx)
}

fn history(b: &ReceptionNote, a: &ReceptionNote, ctx: &Context<'_>) -> Verdict {
    const RULE: &str = "reception.history_entry";
    let new = added(
        "reception.history_append_only",
        "/history",
        &b.history,
        &a.history,
        |e| &e.id,
    )?;
    if b.status == a.status {
        return match new.is_empty() {
            true => Ok(()),
            false => Err(Violation::new(
                RULE,
                "/history",
                "历史只记录状态变更 / the history records status steps only",
            )),
        };
    }
    let [entry] = new.as_slice() else {
        return Err(Violation::new(
            RULE,
            "/history",
            "每个状态变更须记录一条历史 / each status step adds one history entry",
        ));
    };
    if entry.from != b.status.as_str() || entry.to != a.status.as_str() || &entry.by != ctx.user {
        return Err(Violation::new(
            RULE,
            "/history",
            "历史条目须如实记录此变更及其操作人 / the history entry must record this step and who took it",
        ));
    }
    claimed_time(ctx, RULE, "/history", entry.at)
}

fn voucher(b: &ReceptionNote, a: &ReceptionNote, ctx: &Context<'_>) -> Verdict {
    if a.voucher == b.voucher {
        return Ok(());
    }
    if b.status != ReceptionStatus::Planned || a.status == ReceptionStatus::Cancelled {
        return Err(Violation::new(
            "reception.voucher_fixed_after_visit",
            "/voucher",
            "接待举行或取消后来访凭证不能更改 / the voucher cannot change once the reception was held or cancelled",
        ));
    }
    match &a.voucher {
        None => Ok(()), // withdrawn while planned (the decision table says by whom)
        Some(v) => new_voucher(v, a, ctx),
    }
}

fn new_voucher(v: &VisitVoucher, a: &ReceptionNote, ctx: &Context<'_>) -> Verdict {
    if !ctx.role_in(&[Role::CustomerServiceManager]) || &v.approved_by != ctx.user {
        return Err(Violation::new(
            "reception.voucher_by_cs_manager",
            "/voucher/approved_by",
            "来访凭证须由客服经理本人审批 / the visit voucher is approved by the customer-service manager, in her own name",
        ));
    }
    if v.approved_by == a.host || v.approved_by == a.meta.created_by {
        return Err(Violation::new(
            "reception.voucher_no_self_approval",
            "/voucher/approved_by",
            "接待人员不能审批自己的来访凭证 / the host cannot approve her own visit voucher",
        ));
    }
    if v.number.trim().is_empty() || a.visit_at.is_some_and(|at| v.approved_at >= at) {
        return Err(Violation::new(
            "reception.voucher_before_visit",
            "/voucher",
            "来访凭证须有编号并在来访前审批 / the visit voucher needs a number and is approved before the visit",
        ));
    }
    claimed_time(
        ctx,
        "reception.voucher_claimed_time",
        "/voucher/approved_at",
        v.approved_at,
    )
}

fn status(b: &ReceptionNote, a: &ReceptionNote, ctx: &Context<'_>) -> Verdict {
    use ReceptionStatus::{Cancelled, Held, Planned};
    match (&b.status, &a.status) {
        (x, y) if x == y => fixed_held_at(b, a),
        (Planned, Held) => held(b, a, ctx),
        (Planned, Cancelled) => cancelled(b, a, ctx),
        _ => Err(Violation::new(
            "reception.status_final",
            "/status",
            format!(
                "接待状态不能从“{}”改为“{}” / a reception cannot go from `{}` to `{}`",
                b.status.as_str(),
                a.status.as_str(),
                b.status.as_str(),
                a.status.as_str()
            ),
        )),
    }
}

fn fixed_held_at(b: &ReceptionNote, a: &ReceptionNote) -> Verdict {
    if a.held_at == b.held_at {
        return Ok(());
    }
    Err(Violation::new(
        "reception.held_at_fixed",
        "/held_at",
        "接待时间只在登记为已接待时记录 / the time held is recorded only with the step to held",
    ))
}

/// Whether the actor may record the host's reception as held or cancelled.
fn for_host(a: &ReceptionNote, ctx: &Context<'_>) -> bool {
    ctx.user == &a.host
        || ctx.supervises(&a.host)
        || ctx.role.is_some_and(|r| RECEPTION_DESK.contains(&r))
}

fn held(b: &ReceptionNote, a: &ReceptionNote, ctx: &Context<'_>) -> Verdict {
    let standing = b
        .voucher
        .as_ref()
        .filter(|v| a.voucher.as_ref() == Some(*v));
    let Some(v) = standing.filter(|v| a.visit_at.is_none_or(|at| v.approved_at < at)) else {
        return Err(Violation::new(
            "reception.held_needs_voucher",
            "/voucher",
            "没有来访前审批的来访凭证，不能登记为已接待 / no voucher approved before the visit: it cannot be recorded as held",
        ));
    };
    if needs_senior_escort(&a.category) && a.senior_escort.trim().is_empty() {
        return Err(Violation::new(
            "reception.senior_escort",
            "/senior_escort",
            "重要客户须有高层陪同 / an important visitor needs a senior escort",
        ));
    }
    if !for_host(a, ctx) {
        return Err(Violation::new(
            "reception.held_by_host",
            "/status",
            "只有接待人员或其主管可以登记接待 / only the host or her supervisor records the reception as held",
        ));
    }
    let Some(at) = a.held_at.filter(|at| *at >= v.approved_at) else {
        return Err(Violation::new(
            "reception.held_at_claimed",
            "/held_at",
            "须记录接待时间，且不早于来访凭证 / the time held is required, not before the voucher",
        ));
    };
    claimed_time(ctx, "reception.held_at_claimed", "/held_at", at)
}

fn cancelled(b: &ReceptionNote, a: &ReceptionNote, ctx: &Context<'_>) -> Verdict {
    fixed_held_at(b, a)?;
    if !for_host(a, ctx) {
        return Err(Violation::new(
            "reception.cancel_by_host",
            "/status",
            "只有接待人员或其主管可以取消接待 / only the host or her supervisor cancels the reception",
        ));
    }
    let step = a.history.iter().rev().find(|e| e.to == "cancelled");
    let reason = step.map(|e| e.note.trim()).unwrap_or("");
    if reason.is_empty() {
        return Err(Violation::new(
            "reception.cancel_reason",
            "/history",
            "取消接待须说明原因 / a cancelled reception records the reason",
        ));
    }
    Ok(())
}

fn photos(b: &ReceptionNote, a: &ReceptionNote, ctx: &Context<'_>) -> Verdict {
    let granted = a.photos_permitted && !b.photos_permitted;
    let grantors = [
        Role::CustomerServiceManager,
        Role::Supervisor,
        Role::MarketingManager,
    ];
    if granted && (!ctx.role_in(&grantors) || ctx.user == &a.host) {
        return Err(Violation::new(
            "reception.photos_need_permission",
            "/photos_permitted",
            "拍照须经客服经理或主管特别许可 / photos need the special permission of the customer-service manager or a supervisor",
        ));
    }
    Ok(())
}
