//! The monthly tally of the daily visit logs — seed 003, 业务积分制: "业务人员平均每天都要深入拜访
//! 最少一个客户,每拜访一个客户积一分,每个月每个业务人员的最少积30分。该分以真实的拜访记录为准。
//! 月累积少三分以上罚做办公室卫生一次。"
//!
//! A pure function of the records, `now` and the [`WorkCalendar`], so the server's metrics and
//! the supervisor's phone count the same. Choices where the seed is vague:
//! - **Points come from submitted logs**: an entry marked in-depth earns one point when a
//!   **real** visit record backs it — a visit plan of the same rep for the same customer,
//!   attended that day (company time), or a *filed* return-visit report of the rep for that
//!   customer and day. An in-depth entry with no such record earns nothing and is listed as
//!   unbacked (真实的拜访记录为准). A draft log (never reported) earns nothing.
//! - **One point per customer per day**: a customer entered twice on one day counts once.
//! - **The month** is the company-local calendar month. 30 points are required whatever the
//!   number of working days; `short_by` is how many are missing, and the cleaning duty
//!   (少三分以上, read as "3 or more short") is due only once the month is over — during the
//!   month the tally shows how far the rep still has to go.
//! - **Working days without a log**: working days of the month whose 21:00 deadline has passed
//!   with no submitted log (a log submitted late counts as submitted, and as late).
//! - **Whose tally**: the reps asked for; with none, every rep with a log, a plan or a report in
//!   the records.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};

use super::weekly::DAILY_REPORT_DUE;
use crate::calendar::WorkCalendar;
use crate::error::Result;
use crate::ids::{RecordId, UserId};
use crate::model::{DailyLog, LogEntry, ReturnVisitReport, VisitPlan, VisitStatus};
use crate::rules::daily_log::is_late;
use crate::rules::visit_plan::rep_of;
use crate::store::{DeviceStore, Filter};

/// Points required each month (每个月每个业务人员的最少积30分).
pub const MONTHLY_POINTS_REQUIRED: u32 = 30;
/// Points short at which the cleaning duty is due (少三分以上).
pub const CLEANING_DUTY_SHORT_BY: u32 = 3;

/// The records a tally is counted from.
#[derive(Debug, Clone, Copy, Default)]
pub struct TallyRecords<'a> {
    pub logs: &'a [DailyLog],
    pub plans: &'a [VisitPlan],
    pub reports: &'a [ReturnVisitReport],
}

/// An in-depth entry that no visit record backs (it scores 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnbackedEntry {
    pub log: RecordId,
    pub day: NaiveDate,
    pub entry_id: String,
    pub customer_id: Option<RecordId>,
}

/// One rep's month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthTally {
    /// The first day of the month.
    pub month: NaiveDate,
    pub logs_submitted: u32,
    pub late_logs: u32,
    /// Working days past their 21:00 deadline with no submitted log, in order.
    pub days_without_log: Vec<NaiveDate>,
    pub points: u32,
    pub required: u32,
    pub short_by: u32,
    /// The month is over (its last day has ended, company time).
    pub month_closed: bool,
    /// 罚做办公室卫生一次: the month is over and the rep is 3 or more points short.
    pub cleaning_duty: bool,
    pub unbacked: Vec<UnbackedEntry>,
}

/// The tally of the month holding `month` for each of `reps` (none: every rep found).
pub fn monthly_tally(
    month: NaiveDate,
    reps: &[UserId],
    recs: &TallyRecords,
    now: DateTime<Utc>,
    cal: &WorkCalendar,
) -> BTreeMap<UserId, MonthTally> {
    let first = month.with_day(1).unwrap_or(month);
    let next = first.checked_add_months(Months::new(1)).unwrap_or(first);
    let in_month = |d: NaiveDate| first <= d && d < next;
    let reps: BTreeSet<UserId> = if reps.is_empty() {
        reps_in(recs)
    } else {
        reps.iter().cloned().collect()
    };
    reps.into_iter()
        .map(|rep| {
            let logs: Vec<&DailyLog> = recs
                .logs
                .iter()
                .filter(|l| l.rep == rep && l.day.is_some_and(in_month))
                .collect();
            let tally = tally_of(&rep, first, next, &logs, recs, now, cal);
            (rep, tally)
        })
        .collect()
}

fn reps_in(recs: &TallyRecords) -> BTreeSet<UserId> {
    let logs = recs.logs.iter().map(|l| &l.rep);
    let plans = recs.plans.iter().map(rep_of);
    let reports = recs.reports.iter().map(|r| &r.rep);
    logs.chain(plans)
        .chain(reports)
        .filter(|u| !u.as_str().is_empty())
        .cloned()
        .collect()
}

fn tally_of(
    rep: &UserId,
    first: NaiveDate,
    next: NaiveDate,
    logs: &[&DailyLog],
    recs: &TallyRecords,
    now: DateTime<Utc>,
    cal: &WorkCalendar,
) -> MonthTally {
    let submitted: Vec<&DailyLog> = logs
        .iter()
        .copied()
        .filter(|l| l.submitted_at.is_some())
        .collect();
    let mut scored: BTreeSet<(NaiveDate, RecordId)> = BTreeSet::new();
    let mut unbacked = Vec::new();
    for log in &submitted {
        let Some(day) = log.day else { continue };
        for e in log.entries.iter().filter(|e| e.in_depth) {
            match e.customer_id.filter(|_| backed(rep, day, e, recs, cal)) {
                Some(customer) => {
                    scored.insert((day, customer));
                }
                None => unbacked.push(UnbackedEntry {
                    log: log.meta.id,
                    day,
                    entry_id: e.id.clone(),
                    customer_id: e.customer_id,
                }),
            }
        }
    }
    let points = scored.len() as u32;
    let short_by = MONTHLY_POINTS_REQUIRED.saturating_sub(points);
    let month_closed = now >= cal.start_of_day(next);
    MonthTally {
        month: first,
        logs_submitted: submitted.len() as u32,
        late_logs: submitted.iter().filter(|l| is_late(l, cal)).count() as u32,
        days_without_log: days_without_log(first, next, &submitted, now, cal),
        points,
        required: MONTHLY_POINTS_REQUIRED,
        short_by,
        month_closed,
        cleaning_duty: month_closed && short_by >= CLEANING_DUTY_SHORT_BY,
        unbacked,
    }
}

/// Whether a real visit record of `rep` backs the entry: an attended plan for the customer that
/// day, or a filed return-visit report of the customer's visit that day.
fn backed(
    rep: &UserId,
    day: NaiveDate,
    e: &LogEntry,
    recs: &TallyRecords,
    cal: &WorkCalendar,
) -> bool {
    let Some(customer) = e.customer_id else {
        return false;
    };
    let by_plan = recs.plans.iter().any(|p| {
        rep_of(p) == rep
            && p.customer_id == Some(customer)
            && p.status == VisitStatus::Attended
            && e.visit_plan_id.is_none_or(|id| id == p.meta.id)
            && p.attended_at
                .or(p.scheduled_at)
                .is_some_and(|t| cal.local_date(t) == day)
    });
    by_plan
        || recs.reports.iter().any(|r| {
            &r.rep == rep
                && r.customer_id == Some(customer)
                && r.visited_on == Some(day)
                && r.filed_at.is_some()
        })
}

fn days_without_log(
    first: NaiveDate,
    next: NaiveDate,
    submitted: &[&DailyLog],
    now: DateTime<Utc>,
    cal: &WorkCalendar,
) -> Vec<NaiveDate> {
    let logged: BTreeSet<NaiveDate> = submitted.iter().filter_map(|l| l.day).collect();
    first
        .iter_days()
        .take_while(|d| *d < next)
        .filter(|d| cal.is_working_day(*d) && !logged.contains(d))
        .filter(|d| now > cal.at_local(*d, DAILY_REPORT_DUE))
        .collect()
}

/// [`monthly_tally`] from this device's store (what it holds: the rep's own records, or her
/// team's on a supervisor's phone).
#[tracing::instrument(skip_all)]
pub fn monthly_tally_from_store(
    store: &DeviceStore,
    month: NaiveDate,
    reps: &[UserId],
    now: DateTime<Utc>,
    cal: &WorkCalendar,
) -> Result<BTreeMap<UserId, MonthTally>> {
    // Logs and plans are read around the month (a plan attended late keeps its appointment
    // time as its key); reports are read whole, as the week's query does.
    let first = month.with_day(1).unwrap_or(month);
    let around = Filter {
        key_from: Some(cal.start_of_day(first - Days::new(7))),
        key_to: Some(cal.start_of_day(first + Days::new(40))),
        ..Filter::default()
    };
    let logs: Vec<DailyLog> = store.read_projected(&around)?;
    let plans: Vec<VisitPlan> = store.read_projected(&around)?;
    let reports: Vec<ReturnVisitReport> = store.read_projected(&Filter::default())?;
    let recs = TallyRecords {
        logs: &logs,
        plans: &plans,
        reports: &reports,
    };
    Ok(monthly_tally(month, reps, &recs, now, cal))
}

#[cfg(test)]
#[path = "daily_tally_tests.rs"]
mod tests;
