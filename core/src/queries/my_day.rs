//! "My day": what a rep must do today, by the rules' deadlines.
//!
//! Choices: an item is listed when due today or overdue; a proposal "nears its deadline" when
//! its 10-day target has passed or its limit is at most 3 days away; a trade-show lead is listed
//! once unanswered for 5 days (2 days before its 1-week target) and until answered. Items are
//! sorted by deadline, most urgent first.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use crate::calendar::WorkCalendar;
use crate::error::Result;
use crate::ids::{RecordId, UserId};
use crate::model::{
    LeadReferral, ProposalOutcome, ReturnVisitReport, StringEnum, VisitPlan, VisitStatus,
};
use crate::rules::{lead, return_visit, return_visit_proposals};
use crate::store::{DeviceStore, Filter};

/// How close a proposal's limit must be to be listed.
pub const PROPOSAL_WARNING: TimeDelta = TimeDelta::days(3);
/// How long a trade-show lead may wait before it is listed.
pub const TRADE_SHOW_WARNING_AFTER: TimeDelta = TimeDelta::days(5);

/// One thing to do, with its deadline.
#[derive(Debug, Clone, PartialEq)]
pub struct DueItem {
    pub record: RecordId,
    /// The proposal's id, for proposal items.
    pub entry: Option<String>,
    pub title: String,
    pub due_at: DateTime<Utc>,
    pub overdue: bool,
}

/// A rep's day.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MyDay {
    pub date: Option<NaiveDate>,
    pub visits_today: Vec<DueItem>,
    pub follow_ups: Vec<DueItem>,
    pub reports: Vec<DueItem>,
    pub proposals: Vec<DueItem>,
    pub trade_show_leads: Vec<DueItem>,
}

/// The records "my day" looks at (the rep's own; extra records are ignored).
#[derive(Debug, Clone, Default)]
pub struct MyDayInput {
    pub visits: Vec<VisitPlan>,
    pub reports: Vec<ReturnVisitReport>,
    pub leads: Vec<LeadReferral>,
}

fn item(id: RecordId, title: &str, due_at: DateTime<Utc>, now: DateTime<Utc>) -> DueItem {
    DueItem {
        record: id,
        entry: None,
        title: title.to_owned(),
        due_at,
        overdue: due_at < now,
    }
}

/// Computes the rep's day.
pub fn my_day(rep: &UserId, input: &MyDayInput, now: DateTime<Utc>, cal: &WorkCalendar) -> MyDay {
    let today = cal.local_date(now);
    let end_of_today = cal.end_of_day(today);
    let mine = |owner: &UserId| owner == rep;
    let mut day = MyDay {
        date: Some(today),
        ..MyDay::default()
    };
    let open = [
        VisitStatus::Planned,
        VisitStatus::Invited,
        VisitStatus::Accepted,
    ];
    for v in input
        .visits
        .iter()
        .filter(|v| mine(&v.meta.owner) && open.contains(&v.status))
    {
        if let Some(at) = v.scheduled_at.filter(|t| cal.local_date(*t) == today) {
            day.visits_today.push(item(v.meta.id, &v.purpose, at, now));
        }
    }
    for r in input.reports.iter().filter(|r| mine(&r.meta.owner)) {
        reports_and_proposals(&mut day, r, now, end_of_today, cal);
    }
    for l in input.leads.iter().filter(|l| mine(&l.meta.owner)) {
        leads_due(&mut day, l, now, end_of_today, cal);
    }
    for list in [
        &mut day.visits_today,
        &mut day.follow_ups,
        &mut day.reports,
        &mut day.proposals,
        &mut day.trade_show_leads,
    ] {
        list.sort_by(|a, b| a.due_at.cmp(&b.due_at).then(a.record.cmp(&b.record)));
    }
    day
}

fn reports_and_proposals(
    day: &mut MyDay,
    r: &ReturnVisitReport,
    now: DateTime<Utc>,
    eod: DateTime<Utc>,
    cal: &WorkCalendar,
) {
    let unfiled_due = return_visit::report_due_at(r, cal).filter(|_| r.filed_at.is_none());
    if let Some(due) = unfiled_due.filter(|d| *d <= eod) {
        day.reports.push(item(r.meta.id, &r.purpose, due, now));
    }
    for p in r
        .proposals
        .iter()
        .filter(|p| p.outcome == ProposalOutcome::Pending)
    {
        let (target, limit) = return_visit_proposals::proposal_deadlines(p);
        if target <= now || limit - PROPOSAL_WARNING <= now {
            let mut it = item(r.meta.id, &p.text, limit, now);
            it.entry = Some(p.id.clone());
            day.proposals.push(it);
        }
    }
}

fn leads_due(
    day: &mut MyDay,
    l: &LeadReferral,
    now: DateTime<Utc>,
    eod: DateTime<Utc>,
    cal: &WorkCalendar,
) {
    let title = if l.prospect.company.is_empty() {
        &l.prospect.name
    } else {
        &l.prospect.company
    };
    if let Some(due) = lead::next_follow_up_due(l, cal).filter(|d| *d <= eod) {
        day.follow_ups.push(item(l.meta.id, title, due, now));
    }
    let warn_from = lead::TRADE_SHOW_TARGET - TRADE_SHOW_WARNING_AFTER;
    let near = lead::trade_show_response_due(l).filter(|(target, _)| *target - warn_from <= now);
    if let Some((target, _limit)) = near {
        day.trade_show_leads
            .push(item(l.meta.id, title, target, now));
    }
}

/// "My day" for `rep` from this device's store.
#[tracing::instrument(skip_all)]
pub fn my_day_from_store(
    store: &DeviceStore,
    rep: &UserId,
    now: DateTime<Utc>,
    cal: &WorkCalendar,
) -> Result<MyDay> {
    let today = cal.local_date(now);
    let owned = |statuses: &[&str]| Filter {
        owner: Some(rep.clone()),
        statuses: statuses.iter().map(|s| (*s).to_owned()).collect(),
        ..Filter::default()
    };
    let open = [
        VisitStatus::Planned,
        VisitStatus::Invited,
        VisitStatus::Accepted,
    ];
    let visits = Filter {
        key_from: Some(cal.start_of_day(today)),
        key_to: Some(cal.end_of_day(today) + TimeDelta::seconds(1)),
        ..owned(&open.iter().map(StringEnum::as_str).collect::<Vec<_>>())
    };
    let input = MyDayInput {
        visits: store.read_projected(&visits)?,
        reports: store.read_projected(&owned(&[]))?,
        leads: store.read_projected(&owned(&[crate::model::LeadStatus::Open.as_str()]))?,
    };
    Ok(my_day(rep, &input, now, cal))
}
