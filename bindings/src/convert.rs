//! Conversions shared by every record: times, ids and user names.
//!
//! Times cross the boundary as uniffi timestamps (`java.time.Instant` in Kotlin, `Date` in Swift,
//! `datetime` in Python) because that is what a mobile developer expects; ids cross as text
//! (the core's base58check record ids, hex device ids, lower-case user names) and are validated
//! on the way in, the error naming the field. Swift's `Date` and Python's `datetime` are coarser
//! than the core's nanoseconds; `merge.rs` keeps stored times that the app handed back unchanged.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, NaiveDate, Utc};
use fieldbook_core::{RecordId, UserId};

use crate::error::{FieldbookError, Result};

/// A calendar day without a time (a report's visit date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct CalendarDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

pub(crate) fn ts(at: DateTime<Utc>) -> SystemTime {
    SystemTime::from(at)
}

pub(crate) fn ts_opt(at: Option<DateTime<Utc>>) -> Option<SystemTime> {
    at.map(ts)
}

pub(crate) fn dt(field: &str, at: SystemTime) -> Result<DateTime<Utc>> {
    let out_of_range = || FieldbookError::invalid(field, "时间超出范围 / time out of range");
    let parsed = match at.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs())
            .ok()
            .and_then(|s| DateTime::from_timestamp(s, d.subsec_nanos())),
        Err(e) => {
            let d = e.duration();
            i64::try_from(d.as_nanos())
                .ok()
                .map(|n| DateTime::from_timestamp_nanos(-n))
        }
    };
    parsed.ok_or_else(out_of_range)
}

pub(crate) fn dt_opt(field: &str, at: Option<SystemTime>) -> Result<Option<DateTime<Utc>>> {
    at.map(|t| dt(field, t)).transpose()
}

pub(crate) fn date(d: NaiveDate) -> CalendarDate {
    use chrono::Datelike;
    CalendarDate {
        year: d.year(),
        month: d.month(),
        day: d.day(),
    }
}

pub(crate) fn naive_date(field: &str, d: CalendarDate) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(d.year, d.month, d.day)
        .ok_or_else(|| FieldbookError::invalid(field, "无效的日期 / invalid date"))
}

pub(crate) fn record_id(field: &str, s: &str) -> Result<RecordId> {
    s.parse()
        .map_err(|e: fieldbook_core::Error| FieldbookError::invalid(field, e.to_string()))
}

pub(crate) fn record_id_opt(field: &str, s: Option<String>) -> Result<Option<RecordId>> {
    s.map(|s| record_id(field, &s)).transpose()
}

pub(crate) fn id_text(id: Option<RecordId>) -> Option<String> {
    id.map(|id| id.to_string())
}

/// An empty text is "nobody yet" (the core's default user); anything else must be a valid name.
pub(crate) fn user(field: &str, s: String) -> Result<UserId> {
    if s.is_empty() {
        return Ok(UserId::default());
    }
    UserId::new(s).map_err(|e| FieldbookError::invalid(field, e.to_string()))
}

pub(crate) fn user_opt(field: &str, s: Option<String>) -> Result<Option<UserId>> {
    s.map(|s| user(field, s)).transpose()
}

pub(crate) fn user_opt_text(u: Option<UserId>) -> Option<String> {
    u.map(|u| u.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_including_before_1970() {
        for ms in [0_i64, 1_763_884_800_123, -86_400_001] {
            let Some(at) = DateTime::from_timestamp_millis(ms) else {
                panic!("bad test time {ms}");
            };
            assert_eq!(dt("t", ts(at)).ok(), Some(at));
        }
    }

    #[test]
    fn bad_ids_name_their_field() {
        let e = record_id("customer_id", "not-an-id").err();
        assert!(
            matches!(e, Some(FieldbookError::InvalidInput { field, .. }) if field == "customer_id")
        );
        assert!(user("owner", "Rep Li".into()).is_err());
        assert_eq!(user("owner", String::new()).ok(), Some(UserId::default()));
    }
}
