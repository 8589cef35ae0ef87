//! Key-customer cadence — seed 002 ("坚持每个周末给重点客户发短信息", every Friday evening a
//! message to every key customer; "对于我们的重点客户…加强对客户的回访工作"): an A-grade customer
//! (关键客户, seed 001 §3 ABC) is contacted at least once a week.
//!
//! Choices: a contact is any `contact_log` entry (any channel, reached or not: the rep tried),
//! an attended visit plan for the customer, or a return-visit report's visit day; "weekly" is 7
//! days (168 hours) after the last contact. A key customer never contacted is due from the
//! moment it is on file (`meta.created_at`). Longest overdue first.

use chrono::{DateTime, TimeDelta, Utc};

use crate::calendar::WorkCalendar;
use crate::error::Result;
use crate::model::{Customer, CustomerGrade, ReturnVisitReport, VisitPlan, VisitStatus};
use crate::store::{DeviceStore, Filter};

/// How long a key customer may go without contact.
pub const KEY_CONTACT_EVERY: TimeDelta = TimeDelta::days(7);

/// A key customer overdue for its weekly contact.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyContactDue {
    pub customer: Customer,
    /// The last contact or visit, if any.
    pub last_contact_at: Option<DateTime<Utc>>,
    /// When the weekly contact fell due.
    pub due_at: DateTime<Utc>,
}

/// The last contact with `c`: its contact log, attended plans, reports' visit days.
fn last_contact(
    c: &Customer,
    plans: &[VisitPlan],
    reports: &[ReturnVisitReport],
    cal: &WorkCalendar,
) -> Option<DateTime<Utc>> {
    let id = Some(c.meta.id);
    let logged = c.contact_log.iter().map(|e| e.at);
    let visited = plans
        .iter()
        .filter(|p| p.customer_id == id && p.status == VisitStatus::Attended)
        .filter_map(|p| p.attended_at.or(p.scheduled_at));
    let reported = reports
        .iter()
        .filter(|r| r.customer_id == id)
        .filter_map(|r| r.visited_on.map(|d| cal.start_of_day(d)));
    logged.chain(visited).chain(reported).max()
}

/// The A-grade customers whose weekly contact is overdue at `now`, longest overdue first.
pub fn key_contacts_overdue(
    customers: &[Customer],
    plans: &[VisitPlan],
    reports: &[ReturnVisitReport],
    now: DateTime<Utc>,
    cal: &WorkCalendar,
) -> Vec<KeyContactDue> {
    let mut out: Vec<KeyContactDue> = customers
        .iter()
        .filter(|c| c.grade == CustomerGrade::A)
        .filter_map(|c| {
            let last_contact_at = last_contact(c, plans, reports, cal);
            let due_at = last_contact_at.map_or(c.meta.created_at, |t| t + KEY_CONTACT_EVERY);
            (due_at < now).then(|| KeyContactDue {
                customer: c.clone(),
                last_contact_at,
                due_at,
            })
        })
        .collect();
    out.sort_by_key(|d| (d.due_at, d.customer.meta.id));
    out
}

/// [`key_contacts_overdue`] over what this device holds.
#[tracing::instrument(skip_all)]
pub fn key_contacts_from_store(
    store: &DeviceStore,
    now: DateTime<Utc>,
    cal: &WorkCalendar,
) -> Result<Vec<KeyContactDue>> {
    let customers: Vec<Customer> = store.read_projected(&Filter::default())?;
    let plans: Vec<VisitPlan> = store.read_projected(&Filter::default())?;
    let reports: Vec<ReturnVisitReport> = store.read_projected(&Filter::default())?;
    Ok(key_contacts_overdue(&customers, &plans, &reports, now, cal))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::ids::RecordId;
    use crate::model::{ContactLogEntry, FollowUpChannel};
    use crate::rules::test_support::{sh, user};

    fn key(id: u8, grade: CustomerGrade, contacted: Option<DateTime<Utc>>) -> Customer {
        let mut c = Customer {
            grade,
            contact_log: contacted
                .map(|at| ContactLogEntry {
                    id: "e1".into(),
                    at,
                    by: user("rep.li"),
                    channel: FollowUpChannel::Sms,
                    ..ContactLogEntry::default()
                })
                .into_iter()
                .collect(),
            ..Customer::default()
        };
        c.meta.id = RecordId::from_random_bytes([id; 16]);
        c.meta.created_at = sh(2026, 10, 1, 9, 0);
        c
    }

    #[test]
    fn key_customers_need_weekly_contact_seed_002() {
        let cal = WorkCalendar::china_default();
        let now = sh(2026, 11, 23, 9, 0);
        let visited = key(4, CustomerGrade::A, None);
        let reported = key(5, CustomerGrade::A, None);
        let customers = [
            key(1, CustomerGrade::A, Some(sh(2026, 11, 16, 8, 0))), // 7 days 1 hour: overdue
            key(2, CustomerGrade::A, Some(sh(2026, 11, 20, 18, 0))), // Friday's message: fine
            key(3, CustomerGrade::B, None),                         // not key
            visited.clone(),
            reported.clone(),
            key(6, CustomerGrade::A, None), // never contacted: due since it is on file
        ];
        let plan = VisitPlan {
            customer_id: Some(visited.meta.id),
            status: VisitStatus::Attended,
            attended_at: Some(sh(2026, 11, 18, 10, 0)),
            ..VisitPlan::default()
        };
        let report = ReturnVisitReport {
            customer_id: Some(reported.meta.id),
            visited_on: NaiveDate::from_ymd_opt(2026, 11, 10),
            ..ReturnVisitReport::default()
        };
        let due = key_contacts_overdue(&customers, &[plan], &[report], now, &cal);
        let got: Vec<_> = due.iter().map(|d| (d.customer.meta.id, d.due_at)).collect();
        assert_eq!(
            got,
            [
                (customers[5].meta.id, sh(2026, 10, 1, 9, 0)),
                (reported.meta.id, sh(2026, 11, 17, 0, 0)),
                (customers[0].meta.id, sh(2026, 11, 23, 8, 0)),
            ]
        );
    }
}
