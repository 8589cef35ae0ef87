//! 拜访记录 / Daily logs at the desk (seed 003, 业务员客户报备管理办法): one month of the daily
//! visit logs the viewer may read — each log with its day, when it was reported, whether late,
//! its entries and the point each earns, the supervisor's acknowledgement — and the month's
//! tally per rep (`daily_logs.rs`, the core's `queries::daily_tally`).
//!
//! Choices where the issue is silent:
//! - **Whose logs**: what the viewer may read (a rep her own, a supervisor her team's, the
//!   marketing manager and the back office every team's), of the field reps she answers for,
//!   narrowed to one team when asked. A draft (never reported) is listed too, marked draft: the
//!   supervisor sees what is on its way; it earns nothing until it is reported.
//! - **Order**: the newest day first, then by rep — the supervisor reads yesterday's logs at the
//!   morning meeting.
//! - **An entry's point**: an in-depth entry of a reported log earns one point unless the tally
//!   lists it unbacked (no real visit record); an entry not in depth earns none; a draft's
//!   entries are "not counted".
//! - **Who may acknowledge** (the form is offered): a supervisor of the log's rep, for a log
//!   reported and not yet acknowledged. The judge decides in the end (`daily_log.ack_*`).

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, Months, NaiveDate};
use fieldbook_core::access::Role;
use fieldbook_core::model::{DailyLog, LogEntry};
use fieldbook_core::rules::daily_log::is_late;
use fieldbook_core::{RecordId, UserId};

use super::daily_logs::{LogInput, RepMonthLogs, monthly_logs, reps_of};
use super::rows::{Derived, RecordRow, Typed};
use super::{Office, Viewer};
use crate::error::{Result, ServerError};
use crate::store::ServerStore;

/// What one entry of a log earns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryPoint {
    /// In depth, backed by a real visit record: one point.
    Point,
    /// In depth, but no visit record backs it: no point.
    Unbacked,
    /// In depth and backed, but the day's point for this customer is on an earlier entry
    /// (one point per customer per day).
    Repeat,
    /// Not an in-depth visit: no point.
    NotInDepth,
    /// The log is a draft: nothing is counted yet.
    NotCounted,
}

/// One entry as the desk shows it.
#[derive(Debug, Clone)]
pub struct EntryItem {
    pub entry: LogEntry,
    /// The customer's title, when the viewer may read the customer.
    pub customer: Option<String>,
    pub point: EntryPoint,
}

/// One log of the month.
#[derive(Debug, Clone)]
pub struct LogItem {
    pub row: RecordRow,
    pub log: DailyLog,
    /// Reported after 21:00 of its day.
    pub late: bool,
    pub entries: Vec<EntryItem>,
    /// The viewer is a supervisor of the rep and the log awaits her acknowledgement.
    pub may_acknowledge: bool,
}

/// The month of daily logs.
#[derive(Debug, Clone)]
pub struct LogMonth {
    /// The month's first day (company time).
    pub month: NaiveDate,
    pub team: Option<String>,
    /// Newest day first, then by rep.
    pub logs: Vec<LogItem>,
    /// The month's tally of each rep the viewer answers for.
    pub tallies: Vec<RepMonthLogs>,
}

/// A month as `YYYY-MM` (or any day of it, `YYYY-MM-DD`): its first day.
pub fn parse_month(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y-%m-%d").map(|d| d.with_day(1).unwrap_or(d)))
        .map_err(|_| {
            ServerError::Invalid(format!(
                "month 须为 YYYY-MM：`{s}` / `month` is YYYY-MM, not `{s}`"
            ))
        })
}

impl<S: ServerStore> Office<S> {
    /// The daily logs of the month holding `month` (default: this month) that `viewer` may
    /// read, of one team or all, with the month's tally per rep.
    pub async fn daily_log_month(
        &self,
        viewer: &Viewer,
        month: Option<NaiveDate>,
        team: Option<&str>,
    ) -> Result<LogMonth> {
        let now = self.hub.clock().now();
        let first = month.unwrap_or_else(|| self.cal.local_date(now));
        let first = first.with_day(1).unwrap_or(first);
        let next = first.checked_add_months(Months::new(1)).unwrap_or(first);
        let period = (self.cal.start_of_day(first), self.cal.start_of_day(next));
        let members = self.team_members(team);
        let in_team = |u: &UserId| members.as_ref().is_none_or(|m| m.contains(u));
        let records = self.readable(viewer).await?;
        let (input, titles) = gather(&records);
        let log_input = LogInput {
            logs: &input.0,
            plans: &input.1,
            reports: &input.2,
        };
        let access = self.hub.access();
        let reps = reps_of(&access.dir, &viewer.user, &in_team);
        let tallies = monthly_logs(&log_input, &reps, period, now, &self.cal);
        let unbacked: BTreeSet<(RecordId, String)> = tallies
            .iter()
            .flat_map(|t| t.unbacked.iter().map(|u| (u.log, u.entry_id.clone())))
            .collect();
        let supervisor = access.dir.role(&viewer.user) == Some(Role::Supervisor);
        let in_month = |d: NaiveDate| first <= d && d < next;
        let mut logs: Vec<LogItem> = records
            .iter()
            .filter_map(|d| match &d.typed {
                Typed::DailyLog(l) if l.day.is_some_and(in_month) && reps.contains(&l.rep) => {
                    Some((d, l))
                }
                _ => None,
            })
            .map(|(d, log)| {
                let may = supervisor
                    && log.submitted_at.is_some()
                    && log.acknowledged.is_none()
                    && access.dir.supervises(&viewer.user, &log.rep);
                LogItem {
                    row: d.row_in(&access.dir),
                    late: is_late(log, &self.cal),
                    entries: entries(log, &titles, &unbacked),
                    may_acknowledge: may,
                    log: log.clone(),
                }
            })
            .collect();
        logs.sort_by(|a, b| (b.log.day, &a.log.rep).cmp(&(a.log.day, &b.log.rep)));
        Ok(LogMonth {
            month: first,
            team: team.map(str::to_owned),
            logs,
            tallies,
        })
    }
}

type Tallied = (
    Vec<DailyLog>,
    Vec<fieldbook_core::model::VisitPlan>,
    Vec<fieldbook_core::model::ReturnVisitReport>,
);

/// The logs, plans and reports the tally reads, and the customers' titles.
fn gather(records: &[std::sync::Arc<Derived>]) -> (Tallied, HashMap<RecordId, String>) {
    let mut input: Tallied = Default::default();
    let mut titles = HashMap::new();
    for d in records {
        match &d.typed {
            Typed::DailyLog(l) => input.0.push(l.clone()),
            Typed::VisitPlan(p) => input.1.push(p.clone()),
            Typed::ReturnVisitReport(r) => input.2.push(r.clone()),
            Typed::Customer(_) => {
                titles.insert(d.row.id, d.row.title.clone());
            }
            _ => {}
        }
    }
    (input, titles)
}

fn entries(
    log: &DailyLog,
    titles: &HashMap<RecordId, String>,
    unbacked: &BTreeSet<(RecordId, String)>,
) -> Vec<EntryItem> {
    let mut scored = BTreeSet::new();
    log.entries
        .iter()
        .map(|e| EntryItem {
            customer: e.customer_id.and_then(|c| titles.get(&c).cloned()),
            point: if log.submitted_at.is_none() {
                EntryPoint::NotCounted
            } else if !e.in_depth {
                EntryPoint::NotInDepth
            } else if unbacked.contains(&(log.meta.id, e.id.clone())) {
                EntryPoint::Unbacked
            } else if !scored.insert(e.customer_id) {
                EntryPoint::Repeat
            } else {
                EntryPoint::Point
            },
            entry: e.clone(),
        })
        .collect()
}

/// A month as the page's form writes it: `2026-11`.
pub fn month_label(month: NaiveDate) -> String {
    format!("{}-{:02}", month.year(), month.month())
}
