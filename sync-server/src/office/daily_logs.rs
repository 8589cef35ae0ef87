//! The daily visit logs in the desk's metrics (seed 003, 业务积分制): per rep per month touching
//! the period, the core's own tally (`fieldbook_core::queries::daily_tally`) — logs submitted,
//! late logs, working days without a log, real in-depth points against the 30 required, and the
//! cleaning duty of a month closed 3 or more points short.
//!
//! Whose months: the field reps the viewer answers for (herself, the reps she supervises, or
//! every rep for the marketing manager and the back office), in the team asked for; a rep
//! with no log at all still shows, with every working day missing.

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeDelta, Utc};
use fieldbook_core::access::{Directory, Role};
use fieldbook_core::model::{DailyLog, ReturnVisitReport, VisitPlan};
use fieldbook_core::queries::daily_tally::{MonthTally, TallyRecords, monthly_tally};
use fieldbook_core::{RecordId, UserId, WorkCalendar};
use serde::Serialize;
use utoipa::ToSchema;

/// An in-depth entry no visit record backs (it scores 0).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct UnbackedView {
    #[schema(value_type = String)]
    pub log: RecordId,
    pub day: NaiveDate,
    pub entry_id: String,
    #[schema(value_type = Option<String>)]
    pub customer_id: Option<RecordId>,
}

/// One rep's month of daily logs.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RepMonthLogs {
    pub rep: String,
    /// The first day of the month (company time).
    pub month: NaiveDate,
    pub logs_submitted: u32,
    /// Submitted after 21:00 of their day (recorded, not refused).
    pub late_logs: u32,
    /// Working days past 21:00 with no submitted log.
    pub days_without_log: Vec<NaiveDate>,
    /// In-depth visits backed by a real visit record (one per customer per day).
    pub points: u32,
    pub required: u32,
    pub short_by: u32,
    pub month_closed: bool,
    /// 罚做办公室卫生一次: the month is over, 3 or more points short.
    pub cleaning_duty: bool,
    pub unbacked: Vec<UnbackedView>,
}

impl RepMonthLogs {
    fn new(rep: &UserId, t: MonthTally) -> Self {
        RepMonthLogs {
            rep: rep.to_string(),
            month: t.month,
            logs_submitted: t.logs_submitted,
            late_logs: t.late_logs,
            days_without_log: t.days_without_log,
            points: t.points,
            required: t.required,
            short_by: t.short_by,
            month_closed: t.month_closed,
            cleaning_duty: t.cleaning_duty,
            unbacked: t
                .unbacked
                .into_iter()
                .map(|u| UnbackedView {
                    log: u.log,
                    day: u.day,
                    entry_id: u.entry_id,
                    customer_id: u.customer_id,
                })
                .collect(),
        }
    }
}

/// What the monthly tally reads.
pub(super) struct LogInput<'a> {
    pub logs: &'a [DailyLog],
    pub plans: &'a [VisitPlan],
    pub reports: &'a [ReturnVisitReport],
}

/// The field reps `viewer` answers for, among those `in_team` admits.
pub(super) fn reps_of(
    dir: &Directory,
    viewer: &UserId,
    in_team: &dyn Fn(&UserId) -> bool,
) -> Vec<UserId> {
    let all = dir.role(viewer).is_some_and(Role::is_back_office);
    dir.with_role(Role::FieldRep)
        .filter(|rep| all || *rep == viewer || dir.supervises(viewer, rep))
        .filter(|rep| in_team(rep))
        .cloned()
        .collect()
}

/// Every month touching `[from, to)`, each of `reps`.
pub(super) fn monthly_logs(
    input: &LogInput<'_>,
    reps: &[UserId],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    now: DateTime<Utc>,
    cal: &WorkCalendar,
) -> Vec<RepMonthLogs> {
    let recs = TallyRecords {
        logs: input.logs,
        plans: input.plans,
        reports: input.reports,
    };
    let first = cal.local_date(from);
    let last = cal.local_date(to - TimeDelta::milliseconds(1));
    let mut month = first.with_day(1).unwrap_or(first);
    let mut out = Vec::new();
    // Reps asked for but none to show: no month is counted for "everyone found".
    if reps.is_empty() {
        return out;
    }
    while month <= last {
        for (rep, t) in monthly_tally(month, reps, &recs, now, cal) {
            out.push(RepMonthLogs::new(&rep, t));
        }
        let Some(next) = month.checked_add_months(Months::new(1)) else {
            break;
        };
        month = next;
    }
    out
}
