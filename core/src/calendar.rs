//! The company's working calendar: its time zone and which dates are working days.
//!
//! Every deadline of the field-sales rules is computed here, never with the device's own zone:
//! a rep travelling to another zone, and the server in UTC, must see the same "due today".
//! Holidays and China's make-up working days (调休, a Saturday or Sunday declared a working day)
//! are **data**, not code: [`WorkCalendar::china_default`] embeds `core/data/holidays-cn.json`
//! (2026 from the State Council notice; 2027 provisional) and a company can load its own file
//! with [`WorkCalendar::from_json`]. A date outside the data falls back to Monday–Friday.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::error::{Error, Result};

const CHINA_DEFAULT: &str = include_str!("../data/holidays-cn.json");

/// The file format of a holiday calendar.
#[derive(Debug, Deserialize)]
struct CalendarFile {
    time_zone: String,
    #[serde(default)]
    holidays: Vec<NaiveDate>,
    #[serde(default)]
    working_weekends: Vec<NaiveDate>,
}

/// A time zone and a set of holidays and make-up working days.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    tz: Tz,
    holidays: BTreeSet<NaiveDate>,
    working_weekends: BTreeSet<NaiveDate>,
}

impl WorkCalendar {
    /// China's calendar in Asia/Shanghai, from the embedded data file.
    pub fn china_default() -> Self {
        // The embedded file is checked by a unit test; an error here is a build mistake, and the
        // fallback (weekdays only) still gives usable deadlines.
        Self::from_json(CHINA_DEFAULT)
            .unwrap_or_else(|_| Self::weekdays_only(chrono_tz::Asia::Shanghai))
    }

    /// A calendar with no holidays: Monday to Friday are working days.
    pub fn weekdays_only(tz: Tz) -> Self {
        WorkCalendar {
            tz,
            holidays: BTreeSet::new(),
            working_weekends: BTreeSet::new(),
        }
    }

    /// Loads a company's calendar (same format as `core/data/holidays-cn.json`).
    pub fn from_json(text: &str) -> Result<Self> {
        let file: CalendarFile = serde_json::from_str(text).map_err(|e| {
            Error::invalid(
                "calendar",
                format!("日历文件格式错误 / bad calendar file: {e}"),
            )
        })?;
        let tz: Tz = file.time_zone.parse().map_err(|_| {
            Error::invalid(
                "calendar.time_zone",
                format!("未知时区 / unknown time zone `{}`", file.time_zone),
            )
        })?;
        Ok(WorkCalendar {
            tz,
            holidays: file.holidays.into_iter().collect(),
            working_weekends: file.working_weekends.into_iter().collect(),
        })
    }

    /// The same days in another time zone (the company's setting).
    pub fn with_time_zone(mut self, tz: Tz) -> Self {
        self.tz = tz;
        self
    }

    pub fn time_zone(&self) -> Tz {
        self.tz
    }

    /// Whether people work on `date`: make-up days first, then holidays, then the weekday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if self.working_weekends.contains(&date) {
            return true;
        }
        if self.holidays.contains(&date) {
            return false;
        }
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The company-local date of an instant.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }

    /// The instant of a company-local date and time (the earlier one if the zone repeats it;
    /// a skipped time is taken one hour later).
    pub fn at_local(&self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let naive = date.and_time(time);
        match self.tz.from_local_datetime(&naive).earliest() {
            Some(t) => t.with_timezone(&Utc),
            None => self.at_local(date, time + chrono::TimeDelta::hours(1)),
        }
    }

    /// The first instant of a company-local date.
    pub fn start_of_day(&self, date: NaiveDate) -> DateTime<Utc> {
        self.at_local(date, NaiveTime::MIN)
    }

    /// The last instant of a company-local date (the next day's start, minus one second).
    pub fn end_of_day(&self, date: NaiveDate) -> DateTime<Utc> {
        let next = date.succ_opt().unwrap_or(date);
        self.start_of_day(next) - chrono::TimeDelta::seconds(1)
    }

    /// The `n`-th working day after `date` (`n = 0`: `date` itself if it is one, else the next).
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut d = date;
        while n == 0 && !self.is_working_day(d) {
            d = d + Days::new(1);
        }
        let mut left = n;
        while left > 0 {
            d = d + Days::new(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// The `n`-th working day before `date`.
    pub fn sub_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut d = date;
        let mut left = n;
        while left > 0 {
            d = d - Days::new(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days strictly after `from` up to and including `to` (0 if `to <= from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        from.iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count() as u32
    }
}

impl Default for WorkCalendar {
    fn default() -> Self {
        Self::china_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn embedded_china_calendar_loads() {
        assert!(WorkCalendar::from_json(CHINA_DEFAULT).is_ok());
    }

    #[test]
    fn make_up_saturday_is_a_working_day_and_spring_festival_is_not() {
        let cal = WorkCalendar::china_default();
        assert!(
            cal.is_working_day(d(2026, 2, 14)),
            "2026-02-14 Sat is a make-up day"
        );
        assert!(
            !cal.is_working_day(d(2026, 2, 16)),
            "Spring Festival Monday"
        );
        assert!(!cal.is_working_day(d(2026, 10, 1)));
        assert!(cal.is_working_day(d(2026, 11, 23)));
        assert!(!cal.is_working_day(d(2026, 11, 22)), "an ordinary Sunday");
    }

    #[test]
    fn working_days_skip_the_national_day_week() {
        let cal = WorkCalendar::china_default();
        // Wed 2026-09-30 + 1 working day = Thu 2026-10-08 (Oct 1–7 off).
        assert_eq!(cal.add_working_days(d(2026, 9, 30), 1), d(2026, 10, 8));
        // Five working days before Mon 2026-10-12: 10-10 (make-up Sat), 10-09, 10-08, 09-30, 09-29.
        assert_eq!(cal.sub_working_days(d(2026, 10, 12), 5), d(2026, 9, 29));
        assert_eq!(cal.working_days_between(d(2026, 9, 29), d(2026, 10, 12)), 5);
    }

    #[test]
    fn days_end_in_the_company_zone_not_utc() {
        let cal = WorkCalendar::china_default();
        let end = cal.end_of_day(d(2026, 11, 23));
        assert_eq!(end.to_rfc3339(), "2026-11-23T15:59:59+00:00");
        let ny = cal.clone().with_time_zone(chrono_tz::America::New_York);
        assert_eq!(ny.local_date(end), d(2026, 11, 23));
    }

    #[test]
    fn a_bad_calendar_file_is_refused_with_a_bilingual_error() {
        let err = WorkCalendar::from_json(r#"{"time_zone":"Mars/Olympus"}"#).unwrap_err();
        assert!(err.to_string().contains("未知时区"));
    }
}
