//! The daily report and the supervisor's week — seeds 003, 004.
//!
//! - **Daily report** (拜访记录表 / 客户报备表): due at 21:00 company time. The day's visits are
//!   the rep's visit plans scheduled that day; the report is complete when each has an outcome
//!   (attended, no-show, declined, cancelled). At least one **in-depth** visit (a plan marked
//!   `in_depth` and attended) is expected every working day; a non-working day expects none.
//! - **The week** (Monday to Sunday, company time): per rep, visits made (attended plans, plus
//!   return-visit reports not tied to a counted plan), calls made and the A/B *intent*
//!   customers of seed 004 — visited, file complete, signed — not the A/B value grade (the
//!   mapping of seed 004's conditions to records is in [`super::week_intent`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};

use crate::calendar::WorkCalendar;
use crate::error::Result;
use crate::ids::{RecordId, UserId};
use crate::model::{Customer, LeadReferral, ReturnVisitReport, VisitPlan, VisitStatus};
use crate::rules::visit_plan::rep_of;
use crate::store::{DeviceStore, Filter};

pub use super::week_intent::WeekRecords;
use super::week_intent::{Week, ab_customers_per_rep, calls_per_rep};

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
    /// Attended visits, plus return visits not tied to a counted plan (seed 003).
    pub visits: u32,
    /// 电话开发家数: distinct leads or customers phoned (seed 004).
    pub calls: u32,
    /// A/B级客户家数: distinct A/B *intent* customers visited, filed complete and signed
    /// (seed 004 补白B; see [`super::week_intent`]).
    pub ab_customers: u32,
}

/// Visits, calls and A/B intent customers per rep for the week starting on Monday `week_start`.
pub fn weekly_summary(
    week_start: NaiveDate,
    recs: &WeekRecords,
    cal: &WorkCalendar,
) -> BTreeMap<UserId, WeekSummary> {
    let week = Week {
        start: week_start,
        end: week_start + Days::new(7),
        cal,
    };
    let mut out: BTreeMap<UserId, WeekSummary> = BTreeMap::new();
    for (rep, n) in visits_per_rep(recs, &week) {
        out.entry(rep).or_default().visits = n;
    }
    for (rep, n) in calls_per_rep(recs, &week) {
        out.entry(rep).or_default().calls = n;
    }
    for (rep, ab) in ab_customers_per_rep(recs, &week) {
        out.entry(rep).or_default().ab_customers = ab.len() as u32;
    }
    out
}

/// Attended plans in the week, plus reports of visits in the week not tied to a counted plan.
fn visits_per_rep(recs: &WeekRecords, week: &Week) -> BTreeMap<UserId, u32> {
    let in_week = |d: NaiveDate| week.start <= d && d < week.end;
    let mut visits: BTreeMap<UserId, u32> = BTreeMap::new();
    let mut counted_plans = BTreeSet::new();
    for p in recs
        .plans
        .iter()
        .filter(|p| p.status == VisitStatus::Attended)
    {
        if p.attended_at
            .or(p.scheduled_at)
            .is_some_and(|t| week.holds(t))
        {
            counted_plans.insert(p.meta.id);
            *visits.entry(rep_of(p).clone()).or_default() += 1;
        }
    }
    for r in recs
        .reports
        .iter()
        .filter(|r| r.visited_on.is_some_and(in_week))
    {
        if !r
            .visit_plan_id
            .is_some_and(|id| counted_plans.contains(&id))
        {
            let rep = if r.rep.as_str().is_empty() {
                &r.meta.owner
            } else {
                &r.rep
            };
            *visits.entry(rep.clone()).or_default() += 1;
        }
    }
    visits
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
    // Reports are filed after the visit and leads are followed up long after registration:
    // both are read whole.
    let reports: Vec<ReturnVisitReport> = store.read_projected(&Filter::default())?;
    let customers: Vec<Customer> = store.read_projected(&Filter::default())?;
    let leads: Vec<LeadReferral> = store.read_projected(&Filter::default())?;
    let recs = WeekRecords {
        plans: &plans,
        reports: &reports,
        customers: &customers,
        leads: &leads,
    };
    Ok(weekly_summary(week_start, &recs, cal))
}

#[cfg(test)]
#[path = "weekly_tests.rs"]
mod tests;
