//! The daily visit log (拜访记录表 / 客户报备表) — seed 003, 业务员客户报备管理办法: "出差在外,
//! 每天填写拜访记录表(客户报备表),晚上九点钟之前向领导汇报当天工作情况", and at the morning meeting
//! the log carries yesterday's problems and today's plan.
//!
//! - The rep fills in her log of a day ([`fill`]) as often as she likes, then reports it
//!   ([`submit`]): the report is due at **21:00 company time of the log's day**. A log
//!   submitted later is still recorded, and shows as late ([`is_late`]); lateness is a pure
//!   function of the honest `submitted_at`, which the judge holds to the time the server
//!   received it (ADR 0012).
//! - Once submitted, the log is what was reported: its content is frozen (a correction goes
//!   into the next day's log, or is told to the supervisor); `submitted_at` is set once.
//! - A log cannot be submitted before its day has begun (no logs of tomorrow's visits).
//! - Every entry names the customer visited; the points it earns are counted by
//!   `queries::daily_tally`, only when a real visit record backs it.
//! - The supervisor acknowledges a submitted log ([`acknowledge`]); the seed has the rep
//!   "report to her supervisor", so the acknowledgement is that the report was received, with
//!   an optional comment, and decides nothing else.
//!
//! Each function checks, then changes the typed record; the lifecycle judge
//! (`lifecycle::daily_log`) checks the same steps on the device and on the server, with the
//! same rule names.

use chrono::{DateTime, NaiveDate, Utc};

use super::Action;
use crate::calendar::WorkCalendar;
use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::model::{Acknowledgement, DailyLog, LogEntry};
use crate::queries::weekly::DAILY_REPORT_DUE;

/// What the rep writes in her log.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogContent {
    pub entries: Vec<LogEntry>,
    pub problems: String,
    pub next_day_plan: String,
}

/// A new, empty log of `rep` for `day`, at the id every device of hers derives for it.
pub fn new_log(rep: &UserId, day: NaiveDate) -> DailyLog {
    DailyLog::new(rep, day)
}

/// When the log is due: 21:00 company time of its day.
pub fn due_at(log: &DailyLog, cal: &WorkCalendar) -> Option<DateTime<Utc>> {
    Some(cal.at_local(log.day?, DAILY_REPORT_DUE))
}

/// Whether the log was submitted after 21:00 of its day (a log not submitted is not late: it
/// is missing, which the monthly tally counts).
pub fn is_late(log: &DailyLog, cal: &WorkCalendar) -> bool {
    match (log.submitted_at, due_at(log, cal)) {
        (Some(at), Some(due)) => at > due,
        _ => false,
    }
}

/// Writes the log's content (entries without an id get one from `act`). Refused once the log
/// is submitted.
pub fn fill(log: &mut DailyLog, content: LogContent, act: &Action) -> Result<()> {
    not_submitted(log)?;
    for (n, e) in content.entries.iter().enumerate() {
        if e.customer_id.is_none() {
            return Err(Error::invalid(
                format!("entries.{n}.customer_id"),
                "每条拜访记录须写明客户（规则 / rule daily_log.entry_names_customer）/ every \
                 visit entry names its customer",
            ));
        }
    }
    log.entries = content.entries;
    for (n, e) in log.entries.iter_mut().enumerate() {
        if e.id.is_empty() {
            e.id = act.sub_id(&n.to_string());
        }
    }
    log.problems = content.problems;
    log.next_day_plan = content.next_day_plan;
    Ok(())
}

/// Reports the log to the supervisor, now. After 21:00 of its day it is recorded as late.
pub fn submit(log: &mut DailyLog, act: &Action, cal: &WorkCalendar) -> Result<()> {
    not_submitted(log)?;
    let Some(day) = log.day else {
        return Err(Error::invalid(
            "day",
            "须填写日期 / the log's day is required",
        ));
    };
    if act.at < cal.start_of_day(day) {
        return Err(Error::invalid(
            "day",
            "不能提前提交尚未到来的日期的拜访记录（规则 / rule daily_log.not_before_day）/ a \
             log cannot be submitted before its day",
        ));
    }
    log.submitted_at = Some(act.at);
    Ok(())
}

/// The rep's supervisor acknowledges a submitted log (the judge checks who may).
pub fn acknowledge(log: &mut DailyLog, comment: &str, act: &Action) -> Result<()> {
    if log.submitted_at.is_none() {
        return Err(Error::invalid(
            "acknowledged",
            "拜访记录尚未提交，不能确认（规则 / rule daily_log.ack_only_submitted）/ the log \
             has not been submitted; it cannot be acknowledged",
        ));
    }
    if log.acknowledged.is_some() {
        return Err(Error::invalid(
            "acknowledged",
            "拜访记录已确认（规则 / rule daily_log.ack_once）/ the log is already acknowledged",
        ));
    }
    log.acknowledged = Some(Acknowledgement {
        by: act.by.clone(),
        at: act.at,
        comment: comment.trim().to_owned(),
    });
    Ok(())
}

fn not_submitted(log: &DailyLog) -> Result<()> {
    if log.submitted_at.is_some() {
        return Err(Error::invalid(
            "submitted_at",
            "拜访记录已提交，内容不能再修改（规则 / rule daily_log.submitted_frozen）/ the log \
             is submitted: its content cannot change",
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "daily_log_tests.rs"]
mod tests;
