//! Dormant customers — seed 001 §6: customers who have not bought for 6 to 12 months get a call
//! from a dedicated rep.
//!
//! Choices: months are calendar months in the company's zone; a customer whose last purchase
//! is 6 months ago or more, but less than 12, is dormant; one who never bought is a prospect,
//! not dormant; past 12 months the customer is treated as lost and left to the supervisor.
//! Oldest purchase first: the longer the silence, the more urgent the call.

use chrono::{DateTime, Months, Utc};

use crate::calendar::WorkCalendar;
use crate::error::Result;
use crate::model::Customer;
use crate::store::{DeviceStore, Filter};

/// Customers dormant for 6–12 months at `now`.
pub fn dormant_customers<'a>(
    customers: &'a [Customer],
    now: DateTime<Utc>,
    cal: &WorkCalendar,
) -> Vec<&'a Customer> {
    let today = cal.local_date(now);
    let (Some(six), Some(twelve)) = (
        today.checked_sub_months(Months::new(6)),
        today.checked_sub_months(Months::new(12)),
    ) else {
        return Vec::new();
    };
    let mut out: Vec<&Customer> = customers
        .iter()
        .filter(|c| {
            c.last_purchase_at
                .map(|t| cal.local_date(t))
                .is_some_and(|d| twelve < d && d <= six)
        })
        .collect();
    out.sort_by_key(|c| (c.last_purchase_at, c.meta.id));
    out
}

/// Dormant customers from this device's store.
pub fn dormant_from_store(
    store: &DeviceStore,
    now: DateTime<Utc>,
    cal: &WorkCalendar,
) -> Result<Vec<Customer>> {
    let all: Vec<Customer> = store.read_projected(&Filter::default())?;
    Ok(dormant_customers(&all, now, cal)
        .into_iter()
        .cloned()
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::test_support::sh;

    #[test]
    fn customers_dormant_six_to_twelve_months_get_a_call_seed_001() {
        let cal = WorkCalendar::china_default();
        let bought = |at: Option<DateTime<Utc>>| Customer {
            last_purchase_at: at,
            ..Customer::default()
        };
        let list = [
            bought(Some(sh(2026, 5, 23, 10, 0))), // exactly 6 months: dormant
            bought(Some(sh(2026, 5, 24, 10, 0))), // not yet
            bought(Some(sh(2025, 11, 24, 10, 0))), // 11+ months: dormant
            bought(Some(sh(2025, 11, 23, 10, 0))), // 12 months: lost, not dormant
            bought(None),
        ];
        let d = dormant_customers(&list, sh(2026, 11, 23, 9, 0), &cal);
        assert_eq!(
            d.iter().map(|c| c.last_purchase_at).collect::<Vec<_>>(),
            [Some(sh(2025, 11, 24, 10, 0)), Some(sh(2026, 5, 23, 10, 0))]
        );
    }
}
