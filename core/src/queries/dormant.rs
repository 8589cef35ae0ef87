//! Dormant customers — seed 001 §6 (4): "如果客户六个月或一年没有向您购买产品,您应该派一名
//! 专门的代表通过电话与他们联系" — six months and a year without a purchase are two **call
//! triggers**, not an upper bound: the customer is due a call from the dedicated rep when the
//! 6-month mark passes, and again when the 12-month mark passes.
//!
//! Choices: months are calendar months in the company's zone, counted from the day of the last
//! purchase; a customer who never bought is a prospect, not dormant. The queue holds every
//! customer whose latest passed trigger (12 months if passed, else 6) has had no *reached* phone
//! call logged since (a `contact_log` entry on the phone channel whose outcome is not
//! `NotReached`, on or after the trigger day, by anyone: the call is the company's). A call that
//! did not reach the customer keeps the customer queued (the enum says "try again"). Once the
//! 12-month call is made the customer leaves the queue for good, until a new purchase resets the
//! triggers. Oldest purchase first: the longer the silence, the more urgent the call.

use chrono::{DateTime, Months, NaiveDate, Utc};

use crate::calendar::WorkCalendar;
use crate::error::Result;
use crate::ids::UserId;
use crate::model::{CallOutcome, Customer, FollowUpChannel};
use crate::store::{DeviceStore, Filter};

/// Which silence a call is due for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DormantTrigger {
    /// Six months without a purchase.
    SixMonths,
    /// A year without a purchase.
    TwelveMonths,
}

impl DormantTrigger {
    pub fn months(self) -> u32 {
        match self {
            DormantTrigger::SixMonths => 6,
            DormantTrigger::TwelveMonths => 12,
        }
    }
}

/// A customer due a dormant-customer call.
#[derive(Debug, Clone, PartialEq)]
pub struct DormantCall {
    pub customer: Customer,
    pub trigger: DormantTrigger,
    /// The company-time day the trigger passed (the call is due from then).
    pub due_since: NaiveDate,
    /// The latest call tried since the trigger that did not reach the customer.
    pub last_attempt_at: Option<DateTime<Utc>>,
}

/// The latest trigger passed at `today` by a customer who last bought on `bought`.
fn trigger(bought: NaiveDate, today: NaiveDate) -> Option<(DormantTrigger, NaiveDate)> {
    [DormantTrigger::TwelveMonths, DormantTrigger::SixMonths]
        .into_iter()
        .filter_map(|t| Some((t, bought.checked_add_months(Months::new(t.months()))?)))
        .find(|(_, at)| *at <= today)
}

/// The customers due a call at `now`, longest silence first.
pub fn dormant_calls(
    customers: &[Customer],
    now: DateTime<Utc>,
    cal: &WorkCalendar,
) -> Vec<DormantCall> {
    let today = cal.local_date(now);
    let mut out: Vec<DormantCall> = customers
        .iter()
        .filter_map(|c| {
            let bought = cal.local_date(c.last_purchase_at?);
            let (trigger, due_since) = trigger(bought, today)?;
            let since = cal.start_of_day(due_since);
            let calls = c
                .contact_log
                .iter()
                .filter(|e| e.channel == FollowUpChannel::Phone && e.at >= since);
            let mut last_attempt_at = None;
            for e in calls {
                if e.outcome != CallOutcome::NotReached {
                    return None;
                }
                last_attempt_at = last_attempt_at.max(Some(e.at));
            }
            Some(DormantCall {
                customer: c.clone(),
                trigger,
                due_since,
                last_attempt_at,
            })
        })
        .collect();
    out.sort_by_key(|d| (d.customer.last_purchase_at, d.customer.meta.id));
    out
}

/// The call queue from this device's store; with `dedicated_rep`, only the customers assigned
/// to that rep (the call list of one dedicated rep).
#[tracing::instrument(skip_all)]
pub fn dormant_from_store(
    store: &DeviceStore,
    dedicated_rep: Option<&UserId>,
    now: DateTime<Utc>,
    cal: &WorkCalendar,
) -> Result<Vec<DormantCall>> {
    let all: Vec<Customer> = store.read_projected(&Filter::default())?;
    let assigned = |d: &DormantCall| {
        dedicated_rep.is_none_or(|r| d.customer.dedicated_rep.as_ref() == Some(r))
    };
    Ok(dormant_calls(&all, now, cal)
        .into_iter()
        .filter(assigned)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ContactLogEntry;
    use crate::rules::test_support::{sh, user};

    fn bought(at: Option<DateTime<Utc>>) -> Customer {
        Customer {
            last_purchase_at: at,
            ..Customer::default()
        }
    }

    fn call(at: DateTime<Utc>, outcome: CallOutcome) -> ContactLogEntry {
        ContactLogEntry {
            id: at.to_rfc3339(),
            at,
            by: user("rep.li"),
            contact_id: "c1".into(),
            channel: FollowUpChannel::Phone,
            outcome,
            note: String::new(),
        }
    }

    #[test]
    fn six_and_twelve_months_are_call_triggers_seed_001() {
        let cal = WorkCalendar::china_default();
        let list = [
            bought(Some(sh(2026, 5, 23, 10, 0))), // exactly 6 months: due the 6-month call
            bought(Some(sh(2026, 5, 24, 10, 0))), // not yet
            bought(Some(sh(2025, 11, 24, 10, 0))), // 11+ months: the 6-month call
            bought(Some(sh(2025, 11, 23, 10, 0))), // 12 months: the 12-month call
            bought(Some(sh(2023, 1, 5, 10, 0))),  // years: still the 12-month call
            bought(None),
        ];
        let d = dormant_calls(&list, sh(2026, 11, 23, 9, 0), &cal);
        let got: Vec<_> = d
            .iter()
            .map(|c| (c.customer.last_purchase_at, c.trigger))
            .collect();
        assert_eq!(
            got,
            [
                (Some(sh(2023, 1, 5, 10, 0)), DormantTrigger::TwelveMonths),
                (Some(sh(2025, 11, 23, 10, 0)), DormantTrigger::TwelveMonths),
                (Some(sh(2025, 11, 24, 10, 0)), DormantTrigger::SixMonths),
                (Some(sh(2026, 5, 23, 10, 0)), DormantTrigger::SixMonths),
            ]
        );
        assert_eq!(
            d[1].due_since,
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
    }

    #[test]
    fn a_reached_call_since_the_trigger_takes_the_customer_off_the_queue_seed_001() {
        let cal = WorkCalendar::china_default();
        let now = sh(2026, 11, 23, 9, 0);
        let mut before_trigger = bought(Some(sh(2026, 5, 1, 10, 0))); // 6 months on 11-01
        before_trigger.contact_log = vec![call(sh(2026, 10, 31, 10, 0), CallOutcome::WillOrder)];
        let mut not_reached = bought(Some(sh(2026, 5, 2, 10, 0)));
        not_reached.contact_log = vec![call(sh(2026, 11, 20, 10, 0), CallOutcome::NotReached)];
        let mut reached = bought(Some(sh(2026, 5, 3, 10, 0)));
        reached.contact_log = vec![call(sh(2026, 11, 20, 10, 0), CallOutcome::NoOrderYet)];
        // The 6-month call was made; the 12-month call is due again.
        let mut year = bought(Some(sh(2025, 11, 1, 10, 0)));
        year.contact_log = vec![call(sh(2026, 5, 2, 10, 0), CallOutcome::NoOrderYet)];
        let list = [before_trigger, not_reached, reached, year];
        let d = dormant_calls(&list, now, &cal);
        let got: Vec<_> = d
            .iter()
            .map(|c| (c.customer.last_purchase_at, c.trigger, c.last_attempt_at))
            .collect();
        assert_eq!(
            got,
            [
                (
                    Some(sh(2025, 11, 1, 10, 0)),
                    DormantTrigger::TwelveMonths,
                    None
                ),
                (Some(sh(2026, 5, 1, 10, 0)), DormantTrigger::SixMonths, None),
                (
                    Some(sh(2026, 5, 2, 10, 0)),
                    DormantTrigger::SixMonths,
                    Some(sh(2026, 11, 20, 10, 0))
                ),
            ]
        );
    }
}
