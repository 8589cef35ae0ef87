//! Customer satisfaction (顾客满意度) — seed 001 §5: the average satisfaction, the average of each
//! item (product, service, environment), the lowest item (where to improve first), and the same
//! figures a year earlier (year on year), from the scores of the return-visit reports.
//!
//! A survey is a *filed* report with all three scores in 1–5 (a draft may still change; a zero
//! means "not asked"). The year is the visit's year. Averages are kept as sums and counts, so a
//! device and the server agree to the last digit.

use chrono::Datelike;

use crate::model::ReturnVisitReport;

/// The items scored, in the seed's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SatisfactionItem {
    Product,
    Service,
    Environment,
}

/// One year's scores.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct YearSatisfaction {
    pub year: i32,
    pub surveys: u64,
    /// Sums of the scores, per item: product, service, environment.
    pub sums: [u64; 3],
}

impl YearSatisfaction {
    /// The average score of `item` (`None` with no survey).
    pub fn average(&self, item: SatisfactionItem) -> Option<f64> {
        (self.surveys > 0).then(|| self.sums[item as usize] as f64 / self.surveys as f64)
    }

    /// The average over the three items.
    pub fn overall(&self) -> Option<f64> {
        let total: u64 = self.sums.iter().sum();
        (self.surveys > 0).then(|| total as f64 / (3 * self.surveys) as f64)
    }

    /// The item with the lowest average (the first in the seed's order on a tie).
    pub fn lowest(&self) -> Option<SatisfactionItem> {
        let items = [
            SatisfactionItem::Product,
            SatisfactionItem::Service,
            SatisfactionItem::Environment,
        ];
        (self.surveys > 0).then(|| {
            items.into_iter().fold(SatisfactionItem::Product, |low, i| {
                if self.sums[i as usize] < self.sums[low as usize] {
                    i
                } else {
                    low
                }
            })
        })
    }
}

/// A year's satisfaction and the year before it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SatisfactionMetrics {
    pub this_year: YearSatisfaction,
    pub last_year: YearSatisfaction,
}

impl SatisfactionMetrics {
    /// The change of `item`'s average since last year (`None` if either year has no survey).
    pub fn change(&self, item: SatisfactionItem) -> Option<f64> {
        Some(self.this_year.average(item)? - self.last_year.average(item)?)
    }
}

/// The satisfaction of the visits made in `year`, and in the year before.
pub fn satisfaction_metrics(reports: &[ReturnVisitReport], year: i32) -> SatisfactionMetrics {
    SatisfactionMetrics {
        this_year: of_year(reports, year),
        last_year: of_year(reports, year - 1),
    }
}

fn of_year(reports: &[ReturnVisitReport], year: i32) -> YearSatisfaction {
    let mut y = YearSatisfaction {
        year,
        ..YearSatisfaction::default()
    };
    for r in reports.iter().filter(|r| r.filed_at.is_some()) {
        let (Some(s), Some(on)) = (&r.satisfaction, r.visited_on) else {
            continue;
        };
        let scores = [s.product, s.service, s.environment];
        if on.year() != year || !scores.iter().all(|v| (1..=5).contains(v)) {
            continue;
        }
        y.surveys += 1;
        for (sum, v) in y.sums.iter_mut().zip(scores) {
            *sum += u64::from(v);
        }
    }
    y
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::*;
    use crate::model::Satisfaction;

    fn scored(year: i32, p: u8, s: u8, e: u8, filed: bool) -> ReturnVisitReport {
        ReturnVisitReport {
            visited_on: NaiveDate::from_ymd_opt(year, 6, 1),
            satisfaction: Some(Satisfaction {
                product: p,
                service: s,
                environment: e,
            }),
            filed_at: filed.then(|| Utc.with_ymd_and_hms(year, 6, 2, 1, 0, 0).unwrap()),
            ..ReturnVisitReport::default()
        }
    }

    #[test]
    fn averages_per_item_lowest_item_and_year_on_year_seed_001_s5() {
        let reports = [
            scored(2026, 5, 3, 4, true),
            scored(2026, 4, 2, 4, true),
            scored(2026, 1, 1, 1, false), // a draft: not counted
            scored(2026, 5, 0, 4, true),  // service not asked: not a complete survey
            scored(2025, 4, 4, 3, true),
        ];
        let m = satisfaction_metrics(&reports, 2026);
        assert_eq!(m.this_year.surveys, 2);
        assert_eq!(m.this_year.average(SatisfactionItem::Product), Some(4.5));
        assert_eq!(m.this_year.average(SatisfactionItem::Service), Some(2.5));
        assert_eq!(m.this_year.overall(), Some(22.0 / 6.0));
        assert_eq!(m.this_year.lowest(), Some(SatisfactionItem::Service));
        assert_eq!(m.change(SatisfactionItem::Service), Some(-1.5));
        assert_eq!(m.change(SatisfactionItem::Environment), Some(1.0));
        let empty = satisfaction_metrics(&reports, 2024);
        assert_eq!(
            (
                empty.this_year.lowest(),
                empty.change(SatisfactionItem::Product)
            ),
            (None, None)
        );
    }
}
