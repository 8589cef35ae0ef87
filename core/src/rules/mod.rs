//! The field-sales rules of `shared/DOMAIN.md`, one module per family. Each rule is a function
//! on a typed record that checks, then changes it; run it inside [`DeviceStore::update`] and a
//! broken rule writes nothing (the store drops a failed edit). Each lifecycle step is kept in
//! the record's `history`, with entry ids drawn from the store's entropy so entries written on
//! two devices never collide.
//!
//! - [`customer`]: A-grade access, reception card, consent to contact (seeds 001, 003).
//! - [`visit_plan`]: invitation lifecycle, confirmations, reschedules (seeds 000, 002);
//!   [`visit_plan_event`]: an event's invitees; [`visit_plan_targets`]: targets per rep.
//! - [`reception`]: visit voucher, senior escort, expense approvals and receipts (seed 001).
//! - [`return_visit`]: report deadline, review, expense, materials (seed 001, 002).
//! - [`return_visit_proposals`]: proposals taken, routed, extended, answered (seed 001 §4).
//! - [`lead`]: sources, identifying code, grades and cadence, follow-ups, loss (seeds 002–004).
//! - [`daily_log`]: the daily visit log, due at 21:00, frozen once submitted (seed 003).
//! - [`ownership`]: who owns a prospect two reps registered offline (seed 003, ADR 0003).

pub mod customer;
pub mod daily_log;
pub mod lead;
pub mod ownership;
pub mod reception;
pub mod return_visit;
pub mod return_visit_proposals;
pub mod visit_plan;
pub mod visit_plan_event;
pub mod visit_plan_targets;

use chrono::{DateTime, Utc};

use crate::error::Error;
use crate::ids::UserId;
use crate::model::StatusChange;
use crate::store::DeviceStore;

/// Who acts, when, and the id for the history entry the action writes.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub by: UserId,
    pub at: DateTime<Utc>,
    /// A fresh unique id for the entry this action appends.
    pub entry_id: String,
}

impl Action {
    /// The store's user acting now (by the store's clock), with a fresh entry id.
    pub fn on(store: &DeviceStore) -> Self {
        Action {
            by: store.user().clone(),
            at: store.clock().now(),
            entry_id: store.new_record_id().to_string(),
        }
    }

    /// Another user acting on this device (a supervisor signing on the rep's phone).
    pub fn by(mut self, user: UserId) -> Self {
        self.by = user;
        self
    }

    /// A second entry id derived from this action's (for actions that append two entries).
    pub(crate) fn sub_id(&self, suffix: &str) -> String {
        format!("{}-{suffix}", self.entry_id)
    }

    /// The history entry recording a step from `from` to `to`.
    pub(crate) fn change(&self, from: &str, to: &str, note: impl Into<String>) -> StatusChange {
        StatusChange {
            id: self.entry_id.clone(),
            from: from.to_owned(),
            to: to.to_owned(),
            at: self.at,
            by: self.by.clone(),
            note: note.into(),
        }
    }
}

/// The error for a lifecycle step taken from the wrong state.
pub(crate) fn wrong_state(field: &str, from: &str, step_zh: &str, step_en: &str) -> Error {
    Error::invalid(
        field,
        format!("当前状态“{from}”不能{step_zh} / cannot {step_en} from status `{from}`"),
    )
}

#[cfg(test)]
pub(crate) mod test_support {
    use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

    use super::Action;
    use crate::calendar::WorkCalendar;
    use crate::ids::UserId;

    /// An instant given in Shanghai local time.
    pub fn sh(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        let date = NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        let time = NaiveTime::from_hms_opt(h, mi, 0).unwrap_or_default();
        WorkCalendar::china_default().at_local(date, time)
    }

    pub fn user(name: &str) -> UserId {
        UserId::new(name).unwrap_or_default()
    }

    pub fn act(at: DateTime<Utc>) -> Action {
        Action {
            by: user("rep.li"),
            at,
            entry_id: format!("e{}", at.timestamp()),
        }
    }
}
