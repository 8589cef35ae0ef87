//! The list's filters, sorting and pagination: the query string as it arrives ([`ListQuery`],
//! unknown parameters refused), and checked ([`RecordFilter`]), every bad value a clear error.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use fieldbook_core::model::{RecordKind, StringEnum};
use fieldbook_core::{RecordId, UserId, WorkCalendar};
use serde::Deserialize;
use utoipa::IntoParams;

use super::rows::RecordRow;
use crate::error::{Result, ServerError};

/// Largest page.
pub const MAX_PER_PAGE: usize = 500;
/// Page size when none is asked for.
pub const DEFAULT_PER_PAGE: usize = 50;

/// The list's query string, as written.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `customer`, `visit_plan`, `reception_note`, `return_visit_report`, `lead_referral`,
    /// `daily_log`.
    /// (The pattern is checked against every `RecordKind` in `tests/office/openapi.rs`.)
    #[param(
        pattern = "^(customer|visit_plan|reception_note|return_visit_report|lead_referral|daily_log)$"
    )]
    pub kind: Option<String>,
    /// The rep responsible (user id).
    #[param(pattern = r"^[a-z0-9._-]{1,64}$")]
    pub rep: Option<String>,
    /// The rep's team.
    pub team: Option<String>,
    /// A customer id: the customer itself and the records about it.
    #[param(format = "record-id")]
    pub customer: Option<String>,
    /// Grade (A/B/C for customers, H/A/B/C/D for leads) or a reception's visitor category.
    pub grade: Option<String>,
    pub status: Option<String>,
    /// The key moment from (RFC 3339, or a date in the company's zone), inclusive.
    #[param(format = Date)]
    pub from: Option<String>,
    /// The key moment until (RFC 3339, or a date: the whole day included), exclusive.
    #[param(format = Date)]
    pub to: Option<String>,
    /// `key_at` (default), `created_at`, `title`, `kind`, `status`, `grade`, `rep`.
    #[param(pattern = "^(key_at|created_at|title|kind|status|grade|rep)$")]
    pub sort: Option<String>,
    /// `asc` or `desc` (default `desc` for times, `asc` otherwise).
    #[param(pattern = "^(asc|desc)$")]
    pub order: Option<String>,
    /// 1-based.
    #[param(minimum = 1)]
    pub page: Option<usize>,
    /// 1 to 500, default 50.
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<usize>,
}

/// What a list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    KeyAt,
    CreatedAt,
    Title,
    Kind,
    Status,
    Grade,
    Rep,
}

impl SortKey {
    const NAMES: [(&str, SortKey); 7] = [
        ("key_at", SortKey::KeyAt),
        ("created_at", SortKey::CreatedAt),
        ("title", SortKey::Title),
        ("kind", SortKey::Kind),
        ("status", SortKey::Status),
        ("grade", SortKey::Grade),
        ("rep", SortKey::Rep),
    ];

    fn parse(s: &str) -> Result<SortKey> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == s)
            .map(|(_, k)| *k)
            .ok_or_else(|| {
                invalid(
                    "sort",
                    s,
                    "key_at, created_at, title, kind, status, grade, rep",
                )
            })
    }

    fn compare(self, a: &RecordRow, b: &RecordRow) -> Ordering {
        match self {
            SortKey::KeyAt => a.key_at.cmp(&b.key_at),
            SortKey::CreatedAt => a.created_at.cmp(&b.created_at),
            SortKey::Title => a.title.cmp(&b.title),
            SortKey::Kind => a.kind.cmp(&b.kind),
            SortKey::Status => a.status.cmp(&b.status),
            SortKey::Grade => a.grade.cmp(&b.grade),
            SortKey::Rep => a.rep.cmp(&b.rep),
        }
    }
}

/// A checked list query.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordFilter {
    pub kind: Option<RecordKind>,
    pub rep: Option<UserId>,
    pub team: Option<String>,
    pub customer: Option<RecordId>,
    pub grade: Option<String>,
    pub status: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub sort: SortKey,
    pub descending: bool,
    /// 1-based page and its size; `None` = every matching record (exports).
    pub page: Option<(usize, usize)>,
}

impl Default for RecordFilter {
    fn default() -> Self {
        RecordFilter {
            kind: None,
            rep: None,
            team: None,
            customer: None,
            grade: None,
            status: None,
            from: None,
            to: None,
            sort: SortKey::KeyAt,
            descending: true,
            page: Some((1, DEFAULT_PER_PAGE)),
        }
    }
}

fn invalid(field: &str, value: &str, expected: &str) -> ServerError {
    ServerError::Invalid(format!(
        "参数 {field} 的值“{value}”无效，应为 {expected} / `{field}={value}` is not valid: \
         expected {expected}"
    ))
}

/// A time bound: RFC 3339, or a date taken in the company's zone (`end` = the day after).
pub fn parse_time(field: &str, s: &str, cal: &WorkCalendar, end: bool) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| invalid(field, s, "RFC 3339 or YYYY-MM-DD"))?;
    let date = if end {
        date.succ_opt().unwrap_or(date)
    } else {
        date
    };
    Ok(cal.at_local(date, NaiveTime::MIN))
}

impl RecordFilter {
    /// Checks a query; `paged` = false for exports, which take every matching record unless a
    /// page is asked for.
    pub fn parse(q: &ListQuery, cal: &WorkCalendar, paged: bool) -> Result<RecordFilter> {
        let kind = q.kind.as_deref().map(parse_kind).transpose()?;
        let rep = q
            .rep
            .as_deref()
            .map(|r| UserId::new(r).map_err(|_| invalid("rep", r, "a user id")));
        let customer = q.customer.as_deref().map(|c| {
            c.parse::<RecordId>()
                .map_err(|_| invalid("customer", c, "a record id"))
        });
        let from = q.from.as_deref().map(|s| parse_time("from", s, cal, false));
        let to = q.to.as_deref().map(|s| parse_time("to", s, cal, true));
        let sort = q
            .sort
            .as_deref()
            .map_or(Ok(SortKey::KeyAt), SortKey::parse)?;
        let descending = match q.order.as_deref() {
            None => matches!(sort, SortKey::KeyAt | SortKey::CreatedAt),
            Some("asc") => false,
            Some("desc") => true,
            Some(other) => return Err(invalid("order", other, "asc, desc")),
        };
        Ok(RecordFilter {
            kind,
            rep: rep.transpose()?,
            team: q.team.clone(),
            customer: customer.transpose()?,
            grade: q.grade.clone(),
            status: q.status.clone(),
            from: from.transpose()?,
            to: to.transpose()?,
            sort,
            descending,
            page: page_of(q, paged)?,
        })
    }

    /// Whether a row passes every filter.
    pub fn matches(&self, row: &RecordRow) -> bool {
        let eq = |want: &Option<String>, got: &Option<String>| {
            want.as_ref().is_none_or(|w| got.as_ref() == Some(w))
        };
        self.kind.as_ref().is_none_or(|k| k.as_str() == row.kind)
            && self
                .rep
                .as_ref()
                .is_none_or(|r| row.rep.as_ref() == Some(r))
            && eq(&self.team, &row.team)
            && self
                .customer
                .is_none_or(|c| row.customer_id == Some(c) || row.id == c)
            && eq(&self.grade, &row.grade)
            && eq(&self.status, &row.status)
            && self.from.is_none_or(|f| row.key_at.is_some_and(|k| k >= f))
            && self.to.is_none_or(|t| row.key_at.is_some_and(|k| k < t))
    }

    /// Sorts rows (ties by id, so pages are stable).
    pub fn sort(&self, rows: &mut [RecordRow]) {
        rows.sort_by(|a, b| {
            let o = self.sort.compare(a, b);
            let o = if self.descending { o.reverse() } else { o };
            o.then(a.id.cmp(&b.id))
        });
    }
}

fn parse_kind(s: &str) -> Result<RecordKind> {
    RecordKind::ALL
        .iter()
        .find(|k| k.as_str() == s)
        .cloned()
        .ok_or_else(|| {
            let all: Vec<&str> = RecordKind::ALL.iter().map(|k| k.as_str()).collect();
            invalid("kind", s, &all.join(", "))
        })
}

fn page_of(q: &ListQuery, paged: bool) -> Result<Option<(usize, usize)>> {
    if !paged && q.page.is_none() && q.per_page.is_none() {
        return Ok(None);
    }
    let page = q.page.unwrap_or(1);
    let per_page = q.per_page.unwrap_or(DEFAULT_PER_PAGE);
    if page == 0 {
        return Err(invalid("page", "0", "1 or more"));
    }
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(invalid("per_page", &per_page.to_string(), "1 to 500"));
    }
    Ok(Some((page, per_page)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn bad_values_are_refused_with_the_parameter_named() {
        let cal = WorkCalendar::china_default();
        let bad = [
            ListQuery {
                kind: Some("invoice".into()),
                ..ListQuery::default()
            },
            ListQuery {
                from: Some("yesterday".into()),
                ..ListQuery::default()
            },
            ListQuery {
                per_page: Some(501),
                ..ListQuery::default()
            },
            ListQuery {
                order: Some("up".into()),
                ..ListQuery::default()
            },
            ListQuery {
                customer: Some("nope".into()),
                ..ListQuery::default()
            },
        ];
        for q in bad {
            let e = RecordFilter::parse(&q, &cal, true).unwrap_err().to_string();
            assert!(e.contains('`'), "{e}");
        }
        let day = ListQuery {
            from: Some("2026-11-23".into()),
            to: Some("2026-11-23".into()),
            ..ListQuery::default()
        };
        let f = RecordFilter::parse(&day, &cal, false).unwrap();
        assert_eq!(f.to.unwrap() - f.from.unwrap(), chrono::TimeDelta::days(1));
        assert_eq!(f.page, None);
    }
}
