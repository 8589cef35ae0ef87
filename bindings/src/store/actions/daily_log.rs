//! The daily visit log (拜访记录表 / 客户报备表, seed 003): the rep writes her log of a day and
//! reports it by 21:00 (later is recorded as late); once reported it is frozen; her supervisor
//! acknowledges it. One log per rep per day, at the id every device of hers derives from the rep
//! and the day. Each step is the core's rule, judged again on the phone and on the server
//! (`fieldbook_core::lifecycle`).

use std::sync::Arc;

use fieldbook_core::UserId;
use fieldbook_core::model as core;
use fieldbook_core::rules::Action;
use fieldbook_core::rules::daily_log::{self as rules, LogContent};

use crate::background::run;
use crate::convert::{CalendarDate, naive_date, user};
use crate::error::Result;
use crate::observer::ChangeOrigin;
use crate::records::{DailyLog, LogEntry, try_vec};
use crate::store::FieldbookStore;

#[uniffi::export]
impl FieldbookStore {
    /// Writes the signed-in rep's log of `day` (created on first save): the customers visited,
    /// the problems met and tomorrow's plan. Refused once the log is submitted.
    pub async fn save_daily_log(
        self: Arc<Self>,
        day: CalendarDate,
        entries: Vec<LogEntry>,
        problems: String,
        next_day_plan: String,
    ) -> Result<DailyLog> {
        run(move || {
            let content = LogContent {
                entries: try_vec(entries)?,
                problems,
                next_day_plan,
            };
            self.own_log(day, |log, act| rules::fill(log, content, act))
        })
        .await
    }

    /// Reports the signed-in rep's log of `day` to her supervisor, now: due by 21:00 of that
    /// day, recorded as late after it. The content is frozen from then on.
    pub async fn submit_daily_log(self: Arc<Self>, day: CalendarDate) -> Result<DailyLog> {
        run(move || {
            let cal = self.calendar.clone();
            self.own_log(day, |log, act| rules::submit(log, act, &cal))
        })
        .await
    }

    /// The log of `rep` (empty: the signed-in user) for `day`, if this device holds it.
    pub async fn get_daily_log(
        self: Arc<Self>,
        rep: String,
        day: CalendarDate,
    ) -> Result<Option<DailyLog>> {
        run(move || {
            let id = core::DailyLog::id_for(&self.rep_or_me(rep)?, naive_date("day", day)?);
            if !self.store.contains(id)? {
                return Ok(None);
            }
            let log = self.store.get::<core::DailyLog>(id)?;
            Ok(Some(DailyLog::of(log, &self.calendar)))
        })
        .await
    }

    /// The rep's supervisor acknowledges her submitted log of `day`, with an optional comment.
    pub async fn acknowledge_daily_log(
        self: Arc<Self>,
        rep: String,
        day: CalendarDate,
        comment: String,
    ) -> Result<DailyLog> {
        run(move || {
            let id = core::DailyLog::id_for(&user("rep", rep)?, naive_date("day", day)?);
            let act = Action::on(&self.store);
            let log = self
                .store
                .update::<core::DailyLog>(id, |l| rules::acknowledge(l, &comment, &act))?;
            self.changed(id.to_string(), ChangeOrigin::Local);
            Ok(DailyLog::of(log, &self.calendar))
        })
        .await
    }
}

impl FieldbookStore {
    /// `rep`, or the signed-in user when empty.
    fn rep_or_me(&self, rep: String) -> Result<UserId> {
        if rep.is_empty() {
            return Ok(self.store.user().clone());
        }
        user("rep", rep)
    }

    /// Applies `step` to the signed-in rep's log of `day`, creating the log if it is new.
    fn own_log(
        &self,
        day: CalendarDate,
        step: impl FnOnce(&mut core::DailyLog, &Action) -> fieldbook_core::Result<()>,
    ) -> Result<DailyLog> {
        let day = naive_date("day", day)?;
        let me = self.store.user().clone();
        let act = Action::on(&self.store);
        let id = core::DailyLog::id_for(&me, day);
        let log = if self.store.contains(id)? {
            self.store.update::<core::DailyLog>(id, |l| step(l, &act))?
        } else {
            let mut log = rules::new_log(&me, day);
            step(&mut log, &act)?;
            self.store.create(log)?
        };
        self.changed(id.to_string(), ChangeOrigin::Local);
        Ok(DailyLog::of(log, &self.calendar))
    }
}
