//! The lifecycle of a lead referral (seeds 002 篇3, 003, 004; issue 17): which steps are legal,
//! from which state, by whom. The FFI's steps are in `rules::lead`; this judge refuses the same
//! steps when a phone or a stock client writes them raw. Rule ids are `lead.*`.
//!
//! - `lead.registration` — a new lead's prospect key is empty or the key of its prospect (a
//!   forged key would claim someone else's prospect, seed 003 报备). A new lead is judged as
//!   an open lead at the first stage with nothing decided, followed by every step its device
//!   took before the server first saw it (a day offline at a trade show): each is judged.
//! - `lead.fixed` — the code (识别码, seed 002 篇3), the source, referrer, event and
//!   prospect key never change after registration (registration times: the write rules).
//! - `lead.status` — open → won → invoiced, open → lost, open → duplicate; nothing else. Each
//!   step appends a history entry naming it. A closed lead (won, invoiced, lost, duplicate)
//!   is not regraded or moved along the pipeline.
//! - `lead.won` — a won lead names its customer and a positive amount in fen; both stay as won.
//! - `lead.invoiced` — an invoiced lead has a positive invoiced amount and the time it was
//!   invoiced, a time claimed by the device (no back-dating), both fixed afterwards.
//! - `lead.lost_request` — a rep's request to mark the lead lost carries a reason, is hers,
//!   and needs follow-ups on at least two different days (seed 003 fines fake follow-ups and
//!   fake "lost" marks; one call is not an effort; we chose two days so that a customer who
//!   did not answer once is called again another day). Only the requester or a supervisor of
//!   the lead's owner withdraws or declines it; it is never edited.
//! - `lead.lost` — open → lost only when a lost request stood before this change, confirmed by
//!   a supervisor of the owner's team or the marketing manager, not the requester; the lost
//!   reason is the request's. Until then the lead stays open (seed 003: 销售经理 checks).
//! - `lead.duplicate` — only a supervisor or the marketing manager marks a lead a duplicate.
//! - `lead.follow_up` — follow-ups are append-only; each new one is by the actor, says what was
//!   said and the next step, and its time is claimed (not in the future, not before the
//!   device's previous completed sync). On a closed lead, only follow-ups made before it closed
//!   (an offline device catching up) are taken.
//! - `lead.history` — append-only; new entries are by the actor, at a claimed time.
//! - `lead.stage` — the pipeline (seed 003 跟进流程: 初次接触确认 → 需求了解 → 方案提供 →
//!   价格协商 → 合同签署) moves one stage forward at a time, never back; each move is recorded
//!   with the follow-up that justifies it, a follow-up by the same person not used by another
//!   move (we chose "a follow-up per move": a stage reached without talking to the customer is
//!   a fake follow-up under seed 003).

#[path = "lead/entries.rs"]
mod entries;

use super::{Context, Verdict, Violation, claimed_time};
use crate::access::Role;
use crate::model::{LeadReferral, LeadStatus, StringEnum};
use crate::rules::ownership::prospect_key;

const SUPERVISORS: &[Role] = &[Role::Supervisor, Role::MarketingManager];

pub(super) fn judge(
    before: Option<&LeadReferral>,
    after: &LeadReferral,
    ctx: &Context<'_>,
) -> Verdict {
    // A new lead is judged as its registration followed by every step the device took
    // before the server first saw it (a day offline at a trade show).
    let base = LeadReferral {
        meta: after.meta.clone(),
        ..LeadReferral::default()
    };
    let b = match before {
        None => {
            registration(after)?;
            &base
        }
        Some(b) => {
            fixed(b, after)?;
            b
        }
    };
    entries::follow_ups(b, after, ctx)?;
    entries::history(b, after, ctx)?;
    entries::stages(b, after, ctx)?;
    status(b, after, ctx)?;
    entries::lost_request(b, after, ctx)?;
    amounts(b, after, ctx)
}

fn refuse(rule: &'static str, field: &str, reason: &str) -> Verdict {
    Err(Violation::new(rule, field, reason))
}

fn registration(l: &LeadReferral) -> Verdict {
    if !l.prospect_key.is_empty() && prospect_key(&l.prospect).as_deref() != Some(&l.prospect_key) {
        return refuse(
            "lead.registration",
            "/prospect_key",
            "客户识别键与客户信息不符 / the prospect key does not match the prospect",
        );
    }
    Ok(())
}

fn fixed(b: &LeadReferral, a: &LeadReferral) -> Verdict {
    let same = b.code == a.code
        && b.source == a.source
        && b.referrer_id == a.referrer_id
        && b.referrer_name == a.referrer_name
        && b.event == a.event
        && b.prospect_key == a.prospect_key;
    if same {
        return Ok(());
    }
    refuse(
        "lead.fixed",
        "/code",
        "识别码、来源、介绍人和展会登记后不能修改 / the code, source, referrer and event are \
         fixed at registration",
    )
}

fn is_closed(s: &LeadStatus) -> bool {
    *s != LeadStatus::Open
}

fn status(b: &LeadReferral, a: &LeadReferral, ctx: &Context<'_>) -> Verdict {
    if is_closed(&b.status) && (b.grade != a.grade || b.stage != a.stage) {
        return refuse(
            "lead.status",
            "/grade",
            "已结束的线索不能调整级别或阶段 / a closed lead is not regraded or moved along",
        );
    }
    if b.status == a.status {
        return Ok(());
    }
    // The status steps this write adds, in order, must each be legal from the one before.
    let steps = a
        .history
        .iter()
        .filter(|h| !b.history.iter().any(|o| o.id == h.id))
        .map(|h| LeadStatus::parse_str(&h.to))
        .filter(is_closed);
    let mut at = b.status.clone();
    let mut legal = true;
    for step in steps {
        legal &= matches!(
            (&at, &step),
            (LeadStatus::Open, LeadStatus::Won)
                | (LeadStatus::Won, LeadStatus::Invoiced)
                | (LeadStatus::Open, LeadStatus::Lost)
                | (LeadStatus::Open, LeadStatus::Duplicate)
        );
        at = step;
    }
    if !legal || at != a.status {
        return Err(Violation::new(
            "lead.status",
            "/status",
            format!(
                "线索状态不能从“{from}”改为“{to}”（须按步骤：跟进→成交→开票，或申请战败→主管确认）\
                 / a lead cannot go from `{from}` to `{to}` (the steps are open → won → \
                 invoiced, or a lost request confirmed by the supervisor), each step recorded",
                from = b.status.as_str(),
                to = a.status.as_str(),
            ),
        ));
    }
    match a.status {
        LeadStatus::Lost => entries::confirmed_lost(b, a, ctx),
        LeadStatus::Duplicate if !ctx.role_in(SUPERVISORS) => refuse(
            "lead.duplicate",
            "/status",
            "只有主管或营销经理能标记重复线索 / only a supervisor or the marketing manager marks \
             a lead a duplicate",
        ),
        _ => Ok(()),
    }
}

fn amounts(b: &LeadReferral, a: &LeadReferral, ctx: &Context<'_>) -> Verdict {
    let won = matches!(a.status, LeadStatus::Won | LeadStatus::Invoiced);
    let was_won = matches!(b.status, LeadStatus::Won | LeadStatus::Invoiced);
    if won && (a.customer_id.is_none() || a.won_amount_fen.is_none_or(|f| f <= 0)) {
        return refuse(
            "lead.won",
            "/won_amount_fen",
            "成交须注明客户和成交金额（分，正数）/ a won lead names its customer and a positive \
             amount in fen",
        );
    }
    let won_changed = b.won_amount_fen != a.won_amount_fen || b.customer_id != a.customer_id;
    if (was_won && won_changed) || (!won && a.won_amount_fen.is_some()) {
        return refuse(
            "lead.won",
            "/won_amount_fen",
            "成交金额和客户只在成交时登记，之后不能修改 / the won amount and customer are set \
             when the lead is won, and fixed afterwards",
        );
    }
    invoiced(b, a, ctx)
}

fn invoiced(b: &LeadReferral, a: &LeadReferral, ctx: &Context<'_>) -> Verdict {
    const RULE: &str = "lead.invoiced";
    let was = b.status == LeadStatus::Invoiced;
    let is = a.status == LeadStatus::Invoiced;
    let changed = b.invoiced_amount_fen != a.invoiced_amount_fen || b.invoiced_at != a.invoiced_at;
    if !is && (a.invoiced_amount_fen.is_some() || a.invoiced_at.is_some()) || was && changed {
        return refuse(
            RULE,
            "/invoiced_amount_fen",
            "开票金额和时间只在开票时登记，之后不能修改 / the invoiced amount and time are set \
             when the lead is invoiced, and fixed afterwards",
        );
    }
    if !is || was {
        return Ok(());
    }
    let Some(at) = a
        .invoiced_at
        .filter(|_| a.invoiced_amount_fen.is_some_and(|f| f > 0))
    else {
        return refuse(
            RULE,
            "/invoiced_amount_fen",
            "开票须注明开票金额（分，正数）和时间 / an invoice has a positive amount in fen and \
             its time",
        );
    };
    claimed_time(ctx, RULE, "/invoiced_at", at)
}
