//! The rules' actions as store methods: each is one lifecycle step of one record (send or answer
//! an invitation, record attendance, file or review a report, log a follow-up, regrade or close a
//! lead). The step is checked and applied by `fieldbook_core::rules` inside the store's write
//! lock, so a broken rule writes nothing and the error names the field; the record as stored
//! afterwards is returned, and record observers hear `Local`.
//!
//! The signed-in user acts, at the store's clock, as the core's `Action::on` says. Steps that
//! only a supervisor takes (reviewing a report) are taken on the supervisor's own device.

mod capture;
mod customer;
mod daily_log;
mod lead;
mod reception;
mod return_visit;
mod visit_event;
mod visit_plan;

pub use capture::{
    CaptureDetails, CardDuplicate, CardFields, CardOwnership, CardPhone, CardPreview,
    DuplicateCertainty, PhoneKind,
};
pub use customer::CustomerContactNote;
pub use lead::{FollowUpNote, LeadOwnership};
pub use visit_plan::Appointment;

use fieldbook_core::rules::Action;

use super::FieldbookStore;
use crate::convert::record_id;
use crate::error::Result;
use crate::observer::ChangeOrigin;
use crate::records::FfiRecord;

impl FieldbookStore {
    /// Applies one rule to record `id` as the signed-in user, now.
    fn act<F: FfiRecord>(
        &self,
        id: &str,
        rule: impl FnOnce(&mut F::Core, &Action) -> fieldbook_core::Result<()>,
    ) -> Result<F> {
        let rid = record_id("id", id)?;
        let action = Action::on(&self.store);
        let updated = self.store.update::<F::Core>(rid, |r| rule(r, &action))?;
        self.changed(rid.to_string(), ChangeOrigin::Local);
        Ok(updated.into())
    }
}
