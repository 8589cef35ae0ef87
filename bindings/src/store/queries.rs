//! The rep's day, the supervisor's numbers and search, computed on the device from what it holds
//! (so offline, and complete once sync has brought the team's records). Times are the store's
//! clock; days are the company's calendar (Asia/Shanghai, China's working days).

use std::sync::Arc;
use std::time::SystemTime;

use fieldbook_core::model as core;
use fieldbook_core::queries::{
    daily_tally, dormant, key_contact, metrics, my_day, satisfaction, weekly,
};
use fieldbook_core::search::{self, SearchQuery};
use fieldbook_core::store::Filter;

use super::FieldbookStore;
use crate::background::run;
use crate::convert::{CalendarDate, dt, naive_date, user_opt};
use crate::error::Result;
use crate::queries::{
    DailyReport, DormantCall, InvitationMetrics, KeyContactDue, MyDay, RepMonthTally, RepWeek,
    SatisfactionMetrics, SearchHit, TargetProgress,
};

#[uniffi::export]
impl FieldbookStore {
    /// "My day" of the signed-in rep: visits today, follow-ups due, reports and proposals due,
    /// unanswered trade-show leads.
    pub async fn my_day(self: Arc<Self>) -> Result<MyDay> {
        run(move || {
            let now = self.store.clock().now();
            let day =
                my_day::my_day_from_store(&self.store, self.store.user(), now, &self.calendar)?;
            Ok(day.into())
        })
        .await
    }

    /// The invitation success, feedback and attendance rates of the plans invited in
    /// `[from, to)`, for one rep or (`rep` null) the whole team this device holds.
    pub async fn invitation_metrics(
        self: Arc<Self>,
        from: SystemTime,
        to: SystemTime,
        rep: Option<String>,
    ) -> Result<InvitationMetrics> {
        run(move || {
            let (from, to) = (dt("from", from)?, dt("to", to)?);
            let reps: Vec<_> = user_opt("rep", rep)?.into_iter().collect();
            let plans: Vec<core::VisitPlan> = self.store.read_projected(&Filter::default())?;
            Ok(metrics::invitation_metrics(&plans, &reps, from, to).into())
        })
        .await
    }

    /// Each rep with an invitation target for the month of `month`: the target that counts and
    /// the invitations she sent and got accepted that month (from what this device holds).
    pub async fn invitation_targets(
        self: Arc<Self>,
        month: CalendarDate,
    ) -> Result<Vec<TargetProgress>> {
        run(move || {
            let month = naive_date("month", month)?;
            let plans: Vec<core::VisitPlan> = self.store.read_projected(&Filter::default())?;
            let progress = metrics::target_progress(&plans, month, &self.calendar);
            Ok(progress.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// Customer satisfaction of the return visits made in `year` (filed reports this device
    /// holds): averages per item, the lowest item, and the same a year earlier (seed 001 §5).
    pub async fn satisfaction_metrics(self: Arc<Self>, year: i32) -> Result<SatisfactionMetrics> {
        run(move || {
            let reports: Vec<core::ReturnVisitReport> =
                self.store.read_projected(&Filter::default())?;
            Ok(satisfaction::satisfaction_metrics(&reports, year).into())
        })
        .await
    }

    /// The signed-in rep's daily report for `date` (due 21:00 that day).
    pub async fn daily_report(self: Arc<Self>, date: CalendarDate) -> Result<DailyReport> {
        run(move || {
            let date = naive_date("date", date)?;
            let now = self.store.clock().now();
            let report = weekly::daily_report_from_store(
                &self.store,
                self.store.user(),
                date,
                now,
                &self.calendar,
            )?;
            Ok(report.into())
        })
        .await
    }

    /// The supervisor's monthly tally of the daily visit logs (seed 003) for the month holding
    /// `month`: for `rep`, or (null) every rep whose records this device holds — logs submitted
    /// and late, working days without a log, real in-depth points against the 30 required, the
    /// unbacked entries, and the cleaning duty once the month is over 3 or more points short.
    pub async fn daily_tally(
        self: Arc<Self>,
        month: CalendarDate,
        rep: Option<String>,
    ) -> Result<Vec<RepMonthTally>> {
        run(move || {
            let month = naive_date("month", month)?;
            let reps: Vec<_> = user_opt("rep", rep)?.into_iter().collect();
            let now = self.store.clock().now();
            let tally = daily_tally::monthly_tally_from_store(
                &self.store,
                month,
                &reps,
                now,
                &self.calendar,
            )?;
            Ok(tally
                .into_iter()
                .map(|(rep, t)| RepMonthTally::new(rep.to_string(), t))
                .collect())
        })
        .await
    }

    /// Visits, calls and A/B intent customers (seed 004) per rep for the week starting on Monday
    /// `week_start`.
    pub async fn weekly_summary(self: Arc<Self>, week_start: CalendarDate) -> Result<Vec<RepWeek>> {
        run(move || {
            let start = naive_date("week_start", week_start)?;
            let weeks = weekly::weekly_summary_from_store(&self.store, start, &self.calendar)?;
            Ok(weeks
                .into_iter()
                .map(|(rep, w)| RepWeek::new(rep.to_string(), w))
                .collect())
        })
        .await
    }

    /// The dormant-customer call queue (seed 001 §6): customers past 6 or 12 months without a
    /// purchase whose call has not reached them since, longest silence first; with
    /// `dedicated_rep`, only that rep's call list. Logging a reached call (`log_contact`) takes
    /// the customer off.
    pub async fn dormant_customers(
        self: Arc<Self>,
        dedicated_rep: Option<String>,
    ) -> Result<Vec<DormantCall>> {
        run(move || {
            let rep = user_opt("dedicated_rep", dedicated_rep)?;
            let now = self.store.clock().now();
            let found =
                dormant::dormant_from_store(&self.store, rep.as_ref(), now, &self.calendar)?;
            Ok(found.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// Key (A-grade) customers overdue for their weekly contact (seed 002), longest overdue
    /// first: what this device holds (an A-grade customer reaches only those who may read it).
    pub async fn key_contacts_overdue(self: Arc<Self>) -> Result<Vec<KeyContactDue>> {
        run(move || {
            let now = self.store.clock().now();
            let due = key_contact::key_contacts_from_store(&self.store, now, &self.calendar)?;
            Ok(due.into_iter().map(Into::into).collect())
        })
        .await
    }

    /// Searches customers and leads by name, company, contact, phone digits, pinyin (full or
    /// initials: "zhangwei", "zw") or lead code; best hits first, at most `limit`.
    pub async fn search(self: Arc<Self>, text: String, limit: u32) -> Result<Vec<SearchHit>> {
        run(move || {
            let query = SearchQuery {
                text,
                limit: usize::try_from(limit).unwrap_or(usize::MAX),
            };
            let hits = search::search(&self.store, &query)?;
            Ok(hits.into_iter().map(Into::into).collect())
        })
        .await
    }
}
