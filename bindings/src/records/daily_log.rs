//! 拜访记录表 / 客户报备表 — the rep's daily visit log (seed 003), due at 21:00 of its day.

use std::time::SystemTime;

use fieldbook_core::WorkCalendar;
use fieldbook_core::model as core;
use fieldbook_core::rules::daily_log as rules;

use super::RecordMeta;
use crate::convert::{CalendarDate, date, id_text, record_id_opt, ts, ts_opt};
use crate::error::{FieldbookError, Result};

/// The rep's log of one day, as stored, with its deadline and whether it was reported late.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DailyLog {
    pub meta: RecordMeta,
    pub rep: String,
    pub day: Option<CalendarDate>,
    pub entries: Vec<LogEntry>,
    /// 遇到的问题: problems met.
    pub problems: String,
    /// 明天的工作计划: the plan for the next day.
    pub next_day_plan: String,
    pub submitted_at: Option<SystemTime>,
    pub acknowledged: Option<Acknowledgement>,
    /// 21:00 company time of the log's day.
    pub due_at: Option<SystemTime>,
    /// Submitted after `due_at` (recorded, not refused).
    pub late: bool,
}

/// One customer visited that day.
#[derive(Debug, Clone, PartialEq, Default, uniffi::Record)]
pub struct LogEntry {
    /// Empty for a new entry (the store gives it an id).
    #[uniffi(default)]
    pub id: String,
    pub customer_id: String,
    /// The visit plan the visit was made under, if any.
    #[uniffi(default)]
    pub visit_plan_id: Option<String>,
    /// 深入拜访: an in-depth visit (one point when a real visit record backs it).
    #[uniffi(default)]
    pub in_depth: bool,
    #[uniffi(default)]
    pub note: String,
}

/// The supervisor's acknowledgement of the report.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Acknowledgement {
    pub by: String,
    pub at: SystemTime,
    pub comment: String,
}

impl DailyLog {
    /// The stored log as the app shows it, its lateness by the company's calendar.
    pub(crate) fn of(log: core::DailyLog, cal: &WorkCalendar) -> Self {
        let due_at = rules::due_at(&log, cal).map(ts);
        let late = rules::is_late(&log, cal);
        DailyLog {
            meta: log.meta.into(),
            rep: log.rep.to_string(),
            day: log.day.map(date),
            entries: log.entries.into_iter().map(Into::into).collect(),
            problems: log.problems,
            next_day_plan: log.next_day_plan,
            submitted_at: ts_opt(log.submitted_at),
            acknowledged: log.acknowledged.map(|a| Acknowledgement {
                by: a.by.to_string(),
                at: ts(a.at),
                comment: a.comment,
            }),
            due_at,
            late,
        }
    }
}

impl From<core::LogEntry> for LogEntry {
    fn from(e: core::LogEntry) -> Self {
        LogEntry {
            id: e.id,
            customer_id: id_text(e.customer_id).unwrap_or_default(),
            visit_plan_id: id_text(e.visit_plan_id),
            in_depth: e.in_depth,
            note: e.note,
        }
    }
}

impl TryFrom<LogEntry> for core::LogEntry {
    type Error = FieldbookError;
    fn try_from(e: LogEntry) -> Result<Self> {
        let customer = Some(e.customer_id).filter(|c| !c.is_empty());
        Ok(core::LogEntry {
            id: e.id,
            customer_id: record_id_opt("entries.customer_id", customer)?,
            visit_plan_id: record_id_opt("entries.visit_plan_id", e.visit_plan_id)?,
            in_depth: e.in_depth,
            note: e.note,
        })
    }
}
