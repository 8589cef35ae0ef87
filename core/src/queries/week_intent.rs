//! What the supervisor counts each week besides visits — seed 004 (电话销售管理制度 §3):
//! "本周电话开发家数, A/B级客户家数" — the companies a rep phoned this week and her A/B-grade
//! customers, where an A/B customer must meet 补白B: "a、事务员访问过 b、客户档案填写完好
//! c、事务人员签字供认" (visited by a rep, customer file complete, signed off by the rep).
//!
//! Choices (the seed is silent on how these map to records):
//! - **A/B is the intent grade**, not the value grade: seed 004's A/B are prospects found by
//!   telesales (意向客户, seed 003 意向客户管理制度 A/B/C/D), so the grade is the lead's
//!   [`LeadGrade`]; `H` (order today) counts as A. A customer's value grade
//!   ([`crate::model::CustomerGrade`], seed 001 ABC) is *not* counted. Lost and duplicate leads
//!   are not counted.
//! - **The customer file** is the customer the lead is linked to (`customer_id`); a lead with
//!   no customer has no 客户档案 and does not count. Complete means (after 补白A's "valid call"
//!   fields): name, industry, region or address, needs (信息化现状), and one contact with a
//!   name, a title and a phone (mobile or direct line).
//! - **Visited**: an attended visit plan or a return-visit report for that customer, before the
//!   week's end. **Signed**: a *filed* return-visit report (客户回访报告表) for that customer,
//!   filed before the week's end — the filing rep's own record of the visit is her signature;
//!   there is no separate signature field.
//! - **This week's**: an A/B lead counts for its owner (whoever registered it first, seed 003)
//!   in a week in which it was registered or followed up; distinct customers (家数).
//! - **Calls** (电话开发家数): distinct leads or customers the rep phoned in the week — lead
//!   follow-ups and customer contact-log entries on the phone channel, by that rep.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::calendar::WorkCalendar;
use crate::ids::{RecordId, UserId};
use crate::model::{
    Customer, FollowUpChannel, LeadGrade, LeadReferral, LeadStatus, ReturnVisitReport, VisitPlan,
    VisitStatus,
};

/// The records one week is counted from.
#[derive(Debug, Clone, Copy, Default)]
pub struct WeekRecords<'a> {
    pub plans: &'a [VisitPlan],
    pub reports: &'a [ReturnVisitReport],
    pub customers: &'a [Customer],
    pub leads: &'a [LeadReferral],
}

/// The week `[start, end)` in company dates.
#[derive(Clone, Copy)]
pub(crate) struct Week<'c> {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub cal: &'c WorkCalendar,
}

impl Week<'_> {
    pub(crate) fn holds(&self, t: DateTime<Utc>) -> bool {
        let d = self.cal.local_date(t);
        self.start <= d && d < self.end
    }

    fn before_end(&self, t: DateTime<Utc>) -> bool {
        self.cal.local_date(t) < self.end
    }
}

/// Distinct leads or customers each rep phoned in the week.
pub(crate) fn calls_per_rep(recs: &WeekRecords, week: &Week) -> BTreeMap<UserId, u32> {
    let mut phoned: BTreeMap<UserId, BTreeSet<RecordId>> = BTreeMap::new();
    for l in recs.leads {
        let target = l.customer_id.unwrap_or(l.meta.id);
        for f in &l.follow_ups {
            if f.channel == FollowUpChannel::Phone && week.holds(f.at) {
                phoned.entry(f.by.clone()).or_default().insert(target);
            }
        }
    }
    for c in recs.customers {
        for e in &c.contact_log {
            if e.channel == FollowUpChannel::Phone && week.holds(e.at) {
                phoned.entry(e.by.clone()).or_default().insert(c.meta.id);
            }
        }
    }
    phoned
        .into_iter()
        .map(|(rep, s)| (rep, s.len() as u32))
        .collect()
}

/// Distinct A/B intent customers per rep that meet seed 004's three conditions this week.
pub(crate) fn ab_customers_per_rep(
    recs: &WeekRecords,
    week: &Week,
) -> BTreeMap<UserId, BTreeSet<RecordId>> {
    let mut out: BTreeMap<UserId, BTreeSet<RecordId>> = BTreeMap::new();
    for l in recs.leads.iter().filter(|l| is_ab_intent(l)) {
        let worked = l.registered_at.is_some_and(|t| week.holds(t))
            || l.follow_ups.iter().any(|f| week.holds(f.at));
        let Some(customer) = l.customer_id.and_then(|id| find(recs.customers, id)) else {
            continue;
        };
        if worked && qualifies(customer, recs, week) {
            out.entry(l.meta.owner.clone())
                .or_default()
                .insert(customer.meta.id);
        }
    }
    out
}

/// An open, won or invoiced lead of intent grade H, A or B.
pub fn is_ab_intent(l: &LeadReferral) -> bool {
    matches!(l.grade, LeadGrade::H | LeadGrade::A | LeadGrade::B)
        && !matches!(l.status, LeadStatus::Lost | LeadStatus::Duplicate)
}

/// 客户档案填写完好: the fields listed in the module docs are filled in.
pub fn file_complete(c: &Customer) -> bool {
    let filled = |s: &str| !s.trim().is_empty();
    filled(&c.name)
        && filled(&c.industry)
        && (filled(&c.region) || filled(&c.address))
        && filled(&c.needs)
        && c.contacts.iter().any(|p| {
            filled(&p.name) && filled(&p.title) && (filled(&p.mobile) || filled(&p.direct_line))
        })
}

fn find(customers: &[Customer], id: RecordId) -> Option<&Customer> {
    customers.iter().find(|c| c.meta.id == id)
}

/// Complete file, visited and signed (a filed report), all before the week's end.
fn qualifies(c: &Customer, recs: &WeekRecords, week: &Week) -> bool {
    let id = Some(c.meta.id);
    let visited_plan = recs.plans.iter().any(|p| {
        p.customer_id == id
            && p.status == VisitStatus::Attended
            && p.attended_at
                .or(p.scheduled_at)
                .is_some_and(|t| week.before_end(t))
    });
    let ours = |r: &&ReturnVisitReport| r.customer_id == id;
    let visited_report = recs
        .reports
        .iter()
        .filter(ours)
        .any(|r| r.visited_on.is_some_and(|d| d < week.end));
    let signed = recs
        .reports
        .iter()
        .filter(ours)
        .any(|r| r.filed_at.is_some_and(|t| week.before_end(t)));
    file_complete(c) && (visited_plan || visited_report) && signed
}
