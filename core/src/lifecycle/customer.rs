//! The lifecycle of a Customer: which writes of the customer file are legal, by whom. The
//! steps themselves are `rules::customer` (the FFI's actions call them); this judge checks any
//! write, whatever wrote it, on the device and on the server.
//!
//! Rules (rule id — seed — what is refused):
//! - `customer.grade_by_supervisor` — seed 001 §3.5 (ABC classification by the company), §3.7:
//!   a grade is changed only by a supervisor of the customer's rep, or the marketing manager.
//!   The grade a customer is created with needs no history (it is the first classification).
//! - `customer.grade_history` — seed 001 §3.7: every change of grade is recorded in
//!   `grade_history` (an entry whose `to` is the new grade, written by the person changing it,
//!   with the reason in `note`); the history is append-only.
//! - `customer.grade_time` — ADR 0012: a grade entry's time is a claimed time (no back-dating,
//!   no future).
//! - `customer.contact_log` — seed 001 §6, seed 002 篇2: the log of calls and contacts is
//!   append-only; each entry is written by the person who made the contact.
//! - `customer.contact_time` — ADR 0012: a contact's time is a claimed time.
//! - `customer.contact_needs_consent` — seed 003 (个人信息保护法), PIPL Art. 14–15: a contact is
//!   logged only with a person of the file who had consented at the time and had not withdrawn.
//! - `customer.consent_kept` — PIPL Art. 15: a recorded consent is not rewritten; a withdrawal is
//!   final (a person who consents again is entered as a new contact); a withdrawal's time is a
//!   claimed time. Removing a contact altogether stays possible (the right to deletion).
//! - `customer.reception_card` — seed 001 §2(6): an important customer or key account (重要客户,
//!   大客户) has a reception card (顾客接待卡): it cannot be created or classified so without
//!   one, nor lose it while important.
//! - `customer.view_read_only` — seed 001 §3.6, ADR 0013: the redacted view of an A-grade
//!   customer (an id in the server's reserved space) is the server's alone to write; no phone
//!   or desk creates or edits one.
//!
//! Choices where the seeds are vague: the grade and its history are judged together (the net
//! write must carry an entry for the new grade), but not its `from`: two supervisors regrading
//! offline merge to one grade and both entries, which is what happened; settling that conflict
//! to the other supervisor's grade needs no third entry (an entry already set it, as recently). A contact's consent is
//! judged at the contact's time, so a call made offline before a withdrawal reached the phone
//! stands. Records that were already out of line (imported before these rules) can still be
//! edited in their other fields: only a write that *makes* the record break a rule is refused.

use chrono::{DateTime, Utc};

use super::{Context, Verdict, Violation, added, claimed_time};
use crate::access::Role;
use crate::error::Error;
use crate::model::{Contact, Customer, StatusChange, StringEnum};
use crate::rules::customer::{check_may_contact, check_reception_card};

const REGRADERS: &[Role] = &[Role::Supervisor, Role::MarketingManager];

pub(super) fn judge(before: Option<&Customer>, after: &Customer, ctx: &Context<'_>) -> Verdict {
    view_read_only(before, after)?;
    grade(before, after, ctx)?;
    contact_log(before, after, ctx)?;
    if let Some(before) = before {
        consents_kept(before, after, ctx)?;
    }
    reception_card(before, after)
}

fn view_read_only(before: Option<&Customer>, after: &Customer) -> Verdict {
    let reserved = before.is_some_and(|b| b.meta.id.is_reserved()) || after.meta.id.is_reserved();
    if !reserved {
        return Ok(());
    }
    Err(Violation::new(
        "customer.view_read_only",
        "",
        "这是A级客户的只读视图，仅服务器可写 / this is the read-only view of an A-grade \
         customer; only the server writes it",
    ))
}

fn grade(before: Option<&Customer>, after: &Customer, ctx: &Context<'_>) -> Verdict {
    let empty = Vec::new();
    let old = before.map_or(&empty, |b| &b.grade_history);
    let rule = "customer.grade_history";
    let new = added(rule, "/grade_history", old, &after.grade_history, |e| &e.id)?;
    for entry in &new {
        grade_entry(entry, after, ctx)?;
    }
    let Some(before) = before.filter(|b| b.grade != after.grade) else {
        return Ok(());
    };
    may_regrade(before, ctx)?;
    if !new.iter().any(|e| e.to == after.grade.as_str()) && !settles_a_merge(before, after) {
        return Err(Violation::new(
            rule,
            "/grade_history",
            "调整客户等级须记入等级历史（含原因）/ a grade change is recorded in the grade \
             history, with the reason",
        ));
    }
    Ok(())
}

/// Whether the grade goes to a value that a recorded entry set at least as recently as the
/// current grade's: two supervisors regraded concurrently and someone settles the conflict.
fn settles_a_merge(before: &Customer, after: &Customer) -> bool {
    let latest = |grade: &str| {
        after
            .grade_history
            .iter()
            .filter(|e| e.to == grade)
            .map(|e| e.at)
            .max()
    };
    match (latest(after.grade.as_str()), latest(before.grade.as_str())) {
        (Some(to_new), Some(to_old)) => to_new >= to_old,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

fn grade_entry(entry: &StatusChange, after: &Customer, ctx: &Context<'_>) -> Verdict {
    may_regrade(after, ctx)?;
    if entry.by != *ctx.user || entry.note.trim().is_empty() {
        return Err(Violation::new(
            "customer.grade_history",
            "/grade_history",
            "等级历史须由调整者本人记录并写明原因 / a grade entry is written by the person who \
             changes the grade, with the reason",
        ));
    }
    claimed_time(ctx, "customer.grade_time", "/grade_history", entry.at)
}

fn may_regrade(customer: &Customer, ctx: &Context<'_>) -> Verdict {
    let rep = customer
        .dedicated_rep
        .as_ref()
        .unwrap_or(&customer.meta.owner);
    let supervises = ctx.supervises(&customer.meta.owner) || ctx.supervises(rep);
    if ctx.role_in(REGRADERS) && supervises {
        return Ok(());
    }
    Err(Violation::new(
        "customer.grade_by_supervisor",
        "/grade",
        "只有该客户业务员的主管或营销经理可以调整客户等级 / only a supervisor of the customer's \
         rep or the marketing manager may change a customer's grade",
    ))
}

fn contact_log(before: Option<&Customer>, after: &Customer, ctx: &Context<'_>) -> Verdict {
    let empty = Vec::new();
    let old = before.map_or(&empty, |b| &b.contact_log);
    let rule = "customer.contact_log";
    for entry in added(rule, "/contact_log", old, &after.contact_log, |e| &e.id)? {
        if entry.by != *ctx.user {
            return Err(Violation::new(
                rule,
                "/contact_log",
                "联系记录须由联系人本人记录 / a contact is logged by the person who made it",
            ));
        }
        claimed_time(ctx, "customer.contact_time", "/contact_log", entry.at)?;
        consented(after, &entry.contact_id, entry.at)?;
    }
    Ok(())
}

fn consented(customer: &Customer, contact_id: &str, at: DateTime<Utc>) -> Verdict {
    let refuse =
        |reason: String| Violation::new("customer.contact_needs_consent", "/contact_log", reason);
    let Some(contact) = customer.contacts.iter().find(|c| c.id == contact_id) else {
        return Err(refuse(
            "联系记录须指明客户档案中的联系人 / a contact names a person of the customer file"
                .into(),
        ));
    };
    check_may_contact(contact, at).map_err(|e| refuse(message(e)))
}

fn consents_kept(before: &Customer, after: &Customer, ctx: &Context<'_>) -> Verdict {
    for (i, new) in after.contacts.iter().enumerate() {
        let Some(old) = before.contacts.iter().find(|c| c.id == new.id) else {
            continue;
        };
        consent_kept(old, new, &format!("/contacts/{i}/consent"), ctx)?;
    }
    Ok(())
}

fn consent_kept(old: &Contact, new: &Contact, field: &str, ctx: &Context<'_>) -> Verdict {
    let (Some(was), now) = (&old.consent, &new.consent) else {
        return Ok(());
    };
    let refuse = || {
        Violation::new(
            "customer.consent_kept",
            field,
            "已记录的同意不能修改，撤回不能取消 / a recorded consent cannot be rewritten, nor a \
             withdrawal undone",
        )
    };
    let Some(now) = now else {
        return Err(refuse());
    };
    let same_grant =
        (now.given_at, &now.channel, &now.purpose) == (was.given_at, &was.channel, &was.purpose);
    match (was.withdrawn_at, now.withdrawn_at) {
        _ if !same_grant => Err(refuse()),
        (Some(w), n) if n != Some(w) => Err(refuse()),
        (None, Some(n)) => claimed_time(ctx, "customer.consent_kept", field, n),
        _ => Ok(()),
    }
}

fn reception_card(before: Option<&Customer>, after: &Customer) -> Verdict {
    // Already important without a card (written before this rule): other edits may go on.
    if before.is_some_and(|b| check_reception_card(b).is_err()) {
        return Ok(());
    }
    check_reception_card(after)
        .map_err(|e| Violation::new("customer.reception_card", "/reception_card", message(e)))
}

/// The bilingual message of a rule function's refusal.
fn message(e: Error) -> String {
    match e {
        Error::InvalidInput { message, .. } => message,
        other => other.to_string(),
    }
}

#[cfg(test)]
#[path = "customer_tests.rs"]
mod tests;
