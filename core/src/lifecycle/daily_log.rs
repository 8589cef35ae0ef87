//! The lifecycle of a daily visit log (拜访记录表 / 客户报备表), seed 003: the rep writes it,
//! reports it (by 21:00 of its day, else late), and her supervisor acknowledges it.
//!
//! | rule | seed | what is refused |
//! |---|---|---|
//! | `daily_log.rep_writes` | 003 | anyone but the log's rep creating it or changing its content or submission |
//! | `daily_log.owner_is_rep` | 003 | a log owned by anyone but its rep |
//! | `daily_log.id_of_rep_and_day` | — | a log without a day, or not at the id derived from its rep and day |
//! | `daily_log.entry_names_customer` | 003 | submitting an entry that names no customer |
//! | `daily_log.submitted_frozen` | 003 | changing the entries, problems or plan once submitted |
//! | `daily_log.submitted_once` | 003 | changing or clearing `submitted_at` once set |
//! | `daily_log.submitted_at_claimed` | 003 | a submission time back-dated (before the device's last sync; on the phone, before now) or in the future |
//! | `daily_log.not_before_day` | 003 | a submission before the log's day has begun |
//! | `daily_log.ack_only_submitted` | 003 | an acknowledgement of a log not submitted |
//! | `daily_log.ack_by_supervisor` | 003 | an acknowledgement by anyone but a supervisor of the rep, in person |
//! | `daily_log.ack_at_claimed` | — | an acknowledgement time back-dated or in the future |
//! | `daily_log.ack_once` | — | changing or withdrawing an acknowledgement |
//!
//! What the seed leaves open (ADR 0012, "The daily log"):
//! - **Late is recorded, not refused.** A log submitted after 21:00 of its day is accepted and
//!   shown late (`rules::daily_log::is_late`); the seed punishes missing points, not a late
//!   report, and a refused report would leave the supervisor with nothing at all. Lateness
//!   cannot be faked: `submitted_at` is a claimed time judged like `filed_at` of a return
//!   visit — not before the device's previous completed sync, not after the server received
//!   it (± 5 minutes) — so a log reported at 23:00 cannot claim 20:59.
//! - **Submitted means frozen**: the supervisor read a report; what she read stays. A
//!   correction goes into the next day's log.
//! - **One log per rep per day** at a derived id; a log at any other id, or a record of another
//!   kind at a name-based id (the server's gate), is refused, so nobody can take a rep's log
//!   id first. Two devices of the rep write the same document once one has synced the other's
//!   copy; two first copies made offline on two phones are two histories, and the server keeps
//!   the first (the second phone is told to discard its copy, `hub::admit`).

use super::return_visit::claimed;
use super::{CLOCK_SKEW, Context, Verdict, Violation};
use crate::access::Role;
use crate::model::{Acknowledgement, DailyLog};

pub(super) fn judge(before: Option<&DailyLog>, after: &DailyLog, ctx: &Context<'_>) -> Verdict {
    author(before, after, ctx)?;
    identity(before, after)?;
    frozen(before, after)?;
    submission(before, after, ctx)?;
    acknowledgement(before, after, ctx)
}

/// The content the rep writes (everything but the acknowledgement).
fn content_changed(before: Option<&DailyLog>, after: &DailyLog) -> bool {
    let Some(b) = before else {
        return true;
    };
    b.rep != after.rep
        || b.day != after.day
        || b.entries != after.entries
        || b.problems != after.problems
        || b.next_day_plan != after.next_day_plan
        || b.submitted_at != after.submitted_at
}

fn identity(before: Option<&DailyLog>, after: &DailyLog) -> Verdict {
    if after.meta.owner != after.rep {
        return Err(Violation::new(
            "daily_log.owner_is_rep",
            "/meta/owner",
            "拜访记录表属于填写它的业务员 / a daily log belongs to the rep who writes it",
        ));
    }
    if before.is_some() {
        return Ok(());
    }
    let derived = after.day.map(|d| DailyLog::id_for(&after.rep, d));
    if derived != Some(after.meta.id) {
        return Err(Violation::new(
            "daily_log.id_of_rep_and_day",
            "/meta/id",
            "拜访记录表须有日期，编号须由业务员和日期得出 / a daily log has a day, and its id is \
             the one derived from its rep and day",
        ));
    }
    Ok(())
}

fn author(before: Option<&DailyLog>, after: &DailyLog, ctx: &Context<'_>) -> Verdict {
    if content_changed(before, after) && *ctx.user != after.rep {
        return Err(Violation::new(
            "daily_log.rep_writes",
            "",
            "只有业务员本人可以填写和提交自己的拜访记录表 / only the rep herself writes and \
             submits her daily log",
        ));
    }
    Ok(())
}

fn frozen(before: Option<&DailyLog>, after: &DailyLog) -> Verdict {
    let Some(b) = before.filter(|b| b.submitted_at.is_some()) else {
        return Ok(());
    };
    for (field, same) in [
        ("/entries", b.entries == after.entries),
        ("/problems", b.problems == after.problems),
        ("/next_day_plan", b.next_day_plan == after.next_day_plan),
    ] {
        if !same {
            return Err(Violation::new(
                "daily_log.submitted_frozen",
                field,
                "拜访记录已提交，内容不能再修改 / the log is submitted: its content cannot \
                 change",
            ));
        }
    }
    Ok(())
}

fn submission(before: Option<&DailyLog>, after: &DailyLog, ctx: &Context<'_>) -> Verdict {
    let was = before.and_then(|b| b.submitted_at);
    if was.is_some() {
        if after.submitted_at == was {
            return Ok(());
        }
        return Err(Violation::new(
            "daily_log.submitted_once",
            "/submitted_at",
            "提交时间已记录，不能修改或撤销 / the submission time is recorded and cannot be \
             changed or cleared",
        ));
    }
    let Some(at) = after.submitted_at else {
        return Ok(());
    };
    if let Some(n) = after.entries.iter().position(|e| e.customer_id.is_none()) {
        return Err(Violation::new(
            "daily_log.entry_names_customer",
            format!("/entries/{n}/customer_id"),
            "每条拜访记录须写明客户 / every visit entry names its customer",
        ));
    }
    claimed(ctx, "daily_log.submitted_at_claimed", "/submitted_at", at)?;
    let day_begins = after.day.map(|d| ctx.calendar.start_of_day(d));
    if day_begins.is_some_and(|start| at + CLOCK_SKEW < start) {
        return Err(Violation::new(
            "daily_log.not_before_day",
            "/submitted_at",
            "不能提前提交尚未到来的日期的拜访记录 / a log cannot be submitted before its day",
        ));
    }
    Ok(())
}

fn acknowledgement(before: Option<&DailyLog>, after: &DailyLog, ctx: &Context<'_>) -> Verdict {
    let old = before.and_then(|b| b.acknowledged.as_ref());
    if old.is_some() {
        return if after.acknowledged.as_ref() == old {
            Ok(())
        } else {
            Err(Violation::new(
                "daily_log.ack_once",
                "/acknowledged",
                "主管已确认，确认不能修改或撤回 / the supervisor's acknowledgement stands: it \
                 cannot be changed or withdrawn",
            ))
        };
    }
    match &after.acknowledged {
        Some(ack) => new_ack(after, ack, ctx),
        None => Ok(()),
    }
}

fn new_ack(log: &DailyLog, ack: &Acknowledgement, ctx: &Context<'_>) -> Verdict {
    if log.submitted_at.is_none() {
        return Err(Violation::new(
            "daily_log.ack_only_submitted",
            "/acknowledged",
            "拜访记录尚未提交，不能确认 / the log has not been submitted; it cannot be \
             acknowledged",
        ));
    }
    let own = *ctx.user == log.rep;
    if ack.by != *ctx.user || own || !ctx.role_in(&[Role::Supervisor]) || !ctx.supervises(&log.rep)
    {
        return Err(Violation::new(
            "daily_log.ack_by_supervisor",
            "/acknowledged/by",
            "只有业务员的主管本人可以确认拜访记录 / only a supervisor of the rep, in person, \
             acknowledges the log",
        ));
    }
    claimed(ctx, "daily_log.ack_at_claimed", "/acknowledged/at", ack.at)
}

#[cfg(test)]
#[path = "daily_log_tests.rs"]
mod tests;
