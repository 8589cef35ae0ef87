//! The daily report and the supervisor's week — seeds 003, 004.
//!
//! - **Daily report** (拜访记录表 / 客户报备表): due at 21:00 company time. The day's visits are
//!   the rep's visit plans scheduled that day; the report is complete when each has an outcome
//!   (attended, no-show, declined, cancelled). At least one **in-depth** visit (a plan marked
//!   `in_depth` and attended) is expected every working day; a non-working day expects none.
//! - **The week** (Monday to Sunday, company time): per rep, visits made (attended plans, plus
//!   return-visit reports not tied to a counted plan) and the distinct A/B customers visited.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};

use crate::calendar::WorkCalendar;
use crate::error::Result;
use crate::ids::{RecordId, UserId};
use crate::model::{Customer, CustomerGrade, ReturnVisitReport, VisitPlan, VisitStatus};
use crate::rules::visit_plan::rep_of;
use crate::store::{DeviceStore, Filter};

/// The hour the daily report is due.
pub const DAILY_REPORT_DUE: NaiveTime = match NaiveTime::from_hms_opt(21, 0, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

/// Where a rep's daily report stands.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyReport {
    pub date: NaiveDate,
    pub due_at: DateTime<Utc>,
    pub visits: u32,
    pub in_depth_visits: u32,
    /// Visits of the day with no outcome yet.
    pub unlogged: Vec<RecordId>,
    /// At least one in-depth visit (or a non-working day).
    pub minimum_met: bool,
    /// Past 21:00 with visits still unlogged.
    pub overdue: bool,
}

/// The daily report of `rep` for `date`.
pub fn daily_report(
    rep: &UserId,
    date: NaiveDate,
    plans: &[VisitPlan],
    now: DateTime<Utc>,
    cal: &WorkCalendar,
) -> DailyReport {
    let due_at = cal.at_local(date, DAILY_REPORT_DUE);
    let todays: Vec<&VisitPlan> = plans
        .iter()
        .filter(|p| rep_of(p) == rep && p.scheduled_at.is_some_and(|t| cal.local_date(t) == date))
        .collect();
    let logged = |p: &VisitPlan| {
        matches!(
            p.status,
            VisitStatus::Attended
                | VisitStatus::NoShow
                | VisitStatus::Declined
                | VisitStatus::Cancelled
        )
    };
    let unlogged: Vec<RecordId> = todays
        .iter()
        .filter(|p| !logged(p))
        .map(|p| p.meta.id)
        .collect();
    let in_depth = todays
        .iter()
        .filter(|p| p.in_depth && p.status == VisitStatus::Attended)
        .count() as u32;
    DailyReport {
        date,
        due_at,
        visits: todays
            .iter()
            .filter(|p| p.status == VisitStatus::Attended)
            .count() as u32,
        in_depth_visits: in_depth,
        minimum_met: in_depth >= 1 || !cal.is_working_day(date),
        overdue: now > due_at && !unlogged.is_empty(),
        unlogged,
    }
}

/// A rep's week.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WeekSummary {
    pub visits: u32,
    /// Distinct A- or B-grade customers visited.
    pub ab_customers: u32,
}

/// Visits and A/B customers per rep for the week starting on Monday `week_start`.
pub fn weekly_summary(
    week_start: NaiveDate,
    plans: &[VisitPlan],
    reports: &[ReturnVisitReport],
    customers: &[Customer],
    cal: &WorkCalendar,
) -> BTreeMap<UserId, WeekSummary> {
    let end = week_start + Days::new(7);
    let in_week = |d: NaiveDate| week_start <= d && d < end;
    let mut tally = Tally {
        ab: customers
            .iter()
            .filter(|c| matches!(c.grade, CustomerGrade::A | CustomerGrade::B))
            .map(|c| c.meta.id)
            .collect(),
        ..Tally::default()
    };
    let mut counted_plans = BTreeSet::new();
    for p in plans.iter().filter(|p| p.status == VisitStatus::Attended) {
        let at = p.attended_at.or(p.scheduled_at);
        if at.is_some_and(|t| in_week(cal.local_date(t))) {
            counted_plans.insert(p.meta.id);
            tally.count(rep_of(p), p.customer_id);
        }
    }
    for r in reports.iter().filter(|r| r.visited_on.is_some_and(in_week)) {
        if !r
            .visit_plan_id
            .is_some_and(|id| counted_plans.contains(&id))
        {
            let rep = if r.rep.as_str().is_empty() {
                &r.meta.owner
            } else {
                &r.rep
            };
            tally.count(rep, r.customer_id);
        }
    }
    tally.into_summaries()
}

/// Visits and A/B customers seen, per rep.
#[derive(Default)]
struct Tally {
    /// The A- and B-grade customers.
    ab: BTreeSet<RecordId>,
    per_rep: BTreeMap<UserId, (u32, BTreeSet<RecordId>)>,
}

impl Tally {
    fn count(&mut self, rep: &UserId, customer: Option<RecordId>) {
        let entry = self.per_rep.entry(rep.clone()).or_default();
        entry.0 += 1;
        if let Some(c) = customer.filter(|c| self.ab.contains(c)) {
            entry.1.insert(c);
        }
    }

    fn into_summaries(self) -> BTreeMap<UserId, WeekSummary> {
        let summary = |(n, ab): (u32, BTreeSet<RecordId>)| WeekSummary {
            visits: n,
            ab_customers: ab.len() as u32,
        };
        self.per_rep
            .into_iter()
            .map(|(rep, v)| (rep, summary(v)))
            .collect()
    }
}

/// [`daily_report`] from this device's store.
#[tracing::instrument(skip_all)]
pub fn daily_report_from_store(
    store: &DeviceStore,
    rep: &UserId,
    date: NaiveDate,
    now: DateTime<Utc>,
    cal: &WorkCalendar,
) -> Result<DailyReport> {
    let day = Filter {
        key_from: Some(cal.start_of_day(date)),
        key_to: Some(cal.start_of_day(date + Days::new(1))),
        ..Filter::default()
    };
    Ok(daily_report(
        rep,
        date,
        &store.read_projected(&day)?,
        now,
        cal,
    ))
}

/// [`weekly_summary`] from this device's store (plans are read by their appointment time).
#[tracing::instrument(skip_all)]
pub fn weekly_summary_from_store(
    store: &DeviceStore,
    week_start: NaiveDate,
    cal: &WorkCalendar,
) -> Result<BTreeMap<UserId, WeekSummary>> {
    // A plan attended late (after its week) is still read: one week's margin on each side.
    let around = Filter {
        key_from: Some(cal.start_of_day(week_start - Days::new(7))),
        key_to: Some(cal.start_of_day(week_start + Days::new(14))),
        ..Filter::default()
    };
    let plans: Vec<VisitPlan> = store.read_projected(&around)?;
    let reports: Vec<ReturnVisitReport> = store.read_projected(&around)?;
    let customers: Vec<Customer> = store.read_projected(&Filter::default())?;
    Ok(weekly_summary(
        week_start, &plans, &reports, &customers, cal,
    ))
}

#[cfg(test)]
#[path = "weekly_tests.rs"]
mod tests;
