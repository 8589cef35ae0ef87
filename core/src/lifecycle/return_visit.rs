//! The lifecycle of a return-visit report (客户回访报告表), seed 001 §4, §5, §7; seed 002. The
//! report goes draft → filed → reviewed; its expense is signed; its proposals are taken, routed,
//! extended and answered ([`proposals`]); the materials carried are returned ([`materials`]).
//!
//! | rule | seed | what is refused |
//! |---|---|---|
//! | `return_visit.filed_once` | 001 §7.5(1) | changing or clearing `filed_at` once filed |
//! | `return_visit.file_needs_visit_date` | 001 §7.5(1) | filing without the visit date |
//! | `return_visit.filed_at_claimed` | 001 §7.5(1) | a filing time back-dated (before the device's last sync; on the phone, before now) or in the future |
//! | `return_visit.filed_after_visit` | 001 §7.5(1) | a filing time before the visit's day |
//! | `return_visit.satisfaction_range` | 001 §5 | scores outside 1–5 when filed or changed |
//! | `return_visit.review_only_filed` | 001 §7.5(2) | a review of a report not filed |
//! | `return_visit.review_by_supervisor` | 001 §7.5(2) | a review by anyone but a supervisor of the rep, by the rep herself, or naming someone else |
//! | `return_visit.review_guidance` | 001 §7.5(2) | a review without guidance (主管审核并指导) |
//! | `return_visit.review_at_claimed` | — | a review time back-dated or in the future |
//! | `return_visit.review_freezes_report` | 001 §7.5(2) | changing what was reviewed while the review stands |
//! | `return_visit.expense_signed_by_supervisor` | 001 §7.7 | a signature by anyone but a supervisor of the rep, or by the rep |
//! | `return_visit.expense_within_limit` | 001 §7.7 | signing nothing, or more than 1,000 yuan |
//! | `return_visit.expense_signed_at_claimed` | 001 §7.7 | a signing time back-dated or in the future |
//! | `return_visit.signed_expense_frozen` | 001 §7.7 | changing a signed expense while the signature stands |
//!
//! What the seed leaves open, decided as a sales-operations manager would expect:
//! - "The next day" (回访第二天) is the next **calendar** day (`rules::return_visit`).
//! - Filed content stays editable until the supervisor reviews it (the seed has the rep
//!   "fill in and summarise" the report, then the supervisor reviews and guides); a review
//!   freezes the fields the decision table lists (`access::decisions`, `REVIEWED_REPORT`), and
//!   withdrawing the review (setting it to null) is the only way to change them, after which
//!   the supervisor must review again. `filed_at` itself never changes once set: re-filing
//!   would let a late report look on time.
//! - On the phone a filing, review or signature happens now: the judge there holds claimed
//!   times to the phone's clock (± 5 minutes), since the phone knows no earlier sync; the server
//!   holds them to the device's previous completed sync (see `lifecycle`).
//! - Withdrawing a review or a signature is allowed to anyone who may change the report (as the
//!   decision table says); only the supervisor can take it again.

mod materials;
mod proposals;

use serde_json::Value as Json;

use super::{CLOCK_SKEW, Context, Verdict, Violation, claimed_time};
use crate::access::{Role, decision};
use crate::model::{ReturnVisitReport, Review, VisitExpense};
use crate::rules::return_visit::{VISIT_EXPENSE_LIMIT_FEN, check_satisfaction};

pub(super) fn judge(
    before: Option<&ReturnVisitReport>,
    after: &ReturnVisitReport,
    ctx: &Context<'_>,
) -> Verdict {
    filing(before, after, ctx)?;
    satisfaction(before, after)?;
    review(before, after, ctx)?;
    expense(before, after, ctx)?;
    proposals::judge(before, after, ctx)?;
    materials::judge(before, after, ctx)
}

/// A time the actor claims for a step taken now. On the phone (no directory, no floor) the step
/// is being written now, so its time is held to the phone's clock on both sides.
pub(super) fn claimed(
    ctx: &Context<'_>,
    rule: &'static str,
    field: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Verdict {
    let on_phone = ctx.dir.is_none() && ctx.floor.is_none();
    let floor = if on_phone { Some(ctx.now) } else { ctx.floor };
    claimed_time(&Context { floor, ..*ctx }, rule, field, at)
}

/// Whether the actor is a supervisor of the report's rep (and not the rep). Unknown roles are
/// left to the server (`Context::role_in`).
fn supervisor_of_rep(r: &ReturnVisitReport, ctx: &Context<'_>) -> bool {
    let own = *ctx.user == r.rep || *ctx.user == r.meta.owner;
    !own && ctx.role_in(&[Role::Supervisor]) && ctx.supervises(&r.rep)
}

fn filing(before: Option<&ReturnVisitReport>, r: &ReturnVisitReport, ctx: &Context<'_>) -> Verdict {
    let was = before.and_then(|b| b.filed_at);
    if was.is_some() {
        return if r.filed_at == was {
            Ok(())
        } else {
            Err(Violation::new(
                "return_visit.filed_once",
                "/filed_at",
                "报告提交时间已记录，不能修改或撤销 / the report's filing time is recorded and \
                 cannot be changed or cleared",
            ))
        };
    }
    let Some(at) = r.filed_at else {
        return Ok(());
    };
    let Some(visited) = r.visited_on else {
        return Err(Violation::new(
            "return_visit.file_needs_visit_date",
            "/visited_on",
            "须填写回访日期才能提交报告 / the visit date is required to file the report",
        ));
    };
    claimed(ctx, "return_visit.filed_at_claimed", "/filed_at", at)?;
    if at + CLOCK_SKEW < ctx.calendar.start_of_day(visited) {
        return Err(Violation::new(
            "return_visit.filed_after_visit",
            "/filed_at",
            "报告不能早于回访日期提交 / a report cannot be filed before the visit",
        ));
    }
    Ok(())
}

fn satisfaction(before: Option<&ReturnVisitReport>, r: &ReturnVisitReport) -> Verdict {
    let Some(s) = &r.satisfaction else {
        return Ok(());
    };
    let filing = r.filed_at.is_some() && before.is_none_or(|b| b.filed_at.is_none());
    let changed = before.is_none_or(|b| b.satisfaction.as_ref() != Some(s));
    if !(filing || changed) {
        return Ok(());
    }
    check_satisfaction(s).map_err(|e| {
        Violation::new(
            "return_visit.satisfaction_range",
            "/satisfaction",
            format!("{e}"),
        )
    })
}

fn review(before: Option<&ReturnVisitReport>, r: &ReturnVisitReport, ctx: &Context<'_>) -> Verdict {
    let old = before.and_then(|b| b.review.as_ref());
    if let (Some(b), Some(_)) = (before, old)
        && r.review.is_some()
    {
        frozen_by_review(b, r)?;
    }
    match &r.review {
        Some(new) if old != Some(new) => new_review(r, new, ctx),
        _ => Ok(()),
    }
}

fn new_review(r: &ReturnVisitReport, review: &Review, ctx: &Context<'_>) -> Verdict {
    if r.filed_at.is_none() {
        return Err(Violation::new(
            "return_visit.review_only_filed",
            "/review",
            "报告尚未提交，不能审核 / the report has not been filed; it cannot be reviewed",
        ));
    }
    if review.by != *ctx.user || !supervisor_of_rep(r, ctx) {
        return Err(Violation::new(
            "return_visit.review_by_supervisor",
            "/review/by",
            "只有业务员的主管本人可以审核报告，业务员不能审核自己的报告 / only a supervisor of \
             the rep, in person, reviews the report; nobody reviews their own",
        ));
    }
    if review.guidance.trim().is_empty() {
        return Err(Violation::new(
            "return_visit.review_guidance",
            "/review/guidance",
            "审核须写指导意见 / a review must give guidance",
        ));
    }
    claimed(
        ctx,
        "return_visit.review_at_claimed",
        "/review/at",
        review.at,
    )
}

/// While the review stands, what it reviewed stays as reviewed (the decision table's list).
fn frozen_by_review(before: &ReturnVisitReport, after: &ReturnVisitReport) -> Verdict {
    let (b, a) = (json(before), json(after));
    let fields = decision("return_visit_report", "/review").map_or(&[][..], |d| d.freezes);
    for field in fields {
        if b.pointer(field) != a.pointer(field) {
            return Err(Violation::new(
                "return_visit.review_freezes_report",
                *field,
                "主管已审核，审核有效期间报告内容不能修改（须先撤回审核）/ the supervisor has \
                 reviewed the report: its content cannot change while the review stands \
                 (withdraw the review first)",
            ));
        }
    }
    Ok(())
}

fn json(r: &ReturnVisitReport) -> Json {
    serde_json::to_value(r).unwrap_or(Json::Null)
}

fn expense(
    before: Option<&ReturnVisitReport>,
    r: &ReturnVisitReport,
    ctx: &Context<'_>,
) -> Verdict {
    let old = before.and_then(|b| b.expense.as_ref());
    let Some(e) = &r.expense else {
        return Ok(());
    };
    let was_signed = old.is_some_and(|o| o.signed_by.is_some());
    if let (Some(o), true, Some(_)) = (old, was_signed, &e.signed_by) {
        return signed_unchanged(o, e);
    }
    match &e.signed_by {
        Some(by) => new_signature(r, e, by, ctx),
        None => Ok(()),
    }
}

fn signed_unchanged(old: &VisitExpense, new: &VisitExpense) -> Verdict {
    if old == new {
        return Ok(());
    }
    Err(Violation::new(
        "return_visit.signed_expense_frozen",
        "/expense",
        "主管已签批，费用不能修改（须先撤回签批）/ the supervisor has signed the expense: it \
         cannot change while the signature stands (withdraw it first)",
    ))
}

fn new_signature(
    r: &ReturnVisitReport,
    e: &VisitExpense,
    by: &crate::ids::UserId,
    ctx: &Context<'_>,
) -> Verdict {
    if by != ctx.user || !supervisor_of_rep(r, ctx) {
        return Err(Violation::new(
            "return_visit.expense_signed_by_supervisor",
            "/expense/signed_by",
            "回访费用须由业务员的主管本人签批，业务员不能签批自己的费用 / only a supervisor of \
             the rep, in person, signs the visit expense; nobody signs their own",
        ));
    }
    if e.amount_fen <= 0 || e.amount_fen > VISIT_EXPENSE_LIMIT_FEN {
        return Err(Violation::new(
            "return_visit.expense_within_limit",
            "/expense/amount_fen",
            "回访费用须大于零且不超过 1000 元 / the visit expense must be positive and at most \
             1,000 yuan",
        ));
    }
    let Some(at) = e.signed_at else {
        return Err(Violation::new(
            "return_visit.expense_signed_at_claimed",
            "/expense/signed_at",
            "须记录签批时间 / the signing time is required",
        ));
    };
    claimed(
        ctx,
        "return_visit.expense_signed_at_claimed",
        "/expense/signed_at",
        at,
    )
}

#[cfg(test)]
#[path = "return_visit/tests.rs"]
mod tests;
