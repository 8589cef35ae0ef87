//! Create, read and edit each kind of record. The exported methods are one line each; the work is
//! done once, generically, below them.
//!
//! An edit takes the whole record (`lead.copy(grade = LeadGrade.A)` in Kotlin) and writes only
//! what differs from the stored record (`merge.rs`, then the core's diff-only `update`), inside
//! the store's write lock, so a change that sync or an import merged a moment earlier into a field
//! the user did not touch is never reverted.

use std::sync::Arc;

use fieldbook_core::Error as CoreError;
use fieldbook_core::access::view_id;
use fieldbook_core::model::Record;
use serde_json::Value as Json;

use super::FieldbookStore;
use crate::background::run;
use crate::convert::record_id;
use crate::error::{FieldbookError, Result};
use crate::merge::{fill_entry_ids, keep_unchanged};
use crate::observer::ChangeOrigin;
use crate::records::{
    Customer, FfiRecord, LeadReferral, ReceptionNote, ReturnVisitReport, VisitPlan,
};

#[uniffi::export]
impl FieldbookStore {
    /// Stores a new customer; returns it with its id and creation details filled in.
    pub async fn create_customer(self: Arc<Self>, customer: Customer) -> Result<Customer> {
        run(move || self.create_record(customer)).await
    }
    /// The customer, or — for an A-grade customer this user may see only redacted — its
    /// read-only view, found by the customer's own id (`redacted` is then true).
    pub async fn get_customer(self: Arc<Self>, id: String) -> Result<Customer> {
        run(move || self.get_customer_or_view(&id)).await
    }
    /// Writes the fields of `customer` that differ from the stored one.
    pub async fn update_customer(self: Arc<Self>, customer: Customer) -> Result<Customer> {
        run(move || self.update_record(customer)).await
    }

    pub async fn create_visit_plan(self: Arc<Self>, plan: VisitPlan) -> Result<VisitPlan> {
        run(move || self.create_record(plan)).await
    }
    pub async fn get_visit_plan(self: Arc<Self>, id: String) -> Result<VisitPlan> {
        run(move || self.get_record(&id)).await
    }
    pub async fn update_visit_plan(self: Arc<Self>, plan: VisitPlan) -> Result<VisitPlan> {
        run(move || self.update_record(plan)).await
    }

    pub async fn create_reception_note(
        self: Arc<Self>,
        note: ReceptionNote,
    ) -> Result<ReceptionNote> {
        run(move || self.create_record(note)).await
    }
    pub async fn get_reception_note(self: Arc<Self>, id: String) -> Result<ReceptionNote> {
        run(move || self.get_record(&id)).await
    }
    pub async fn update_reception_note(
        self: Arc<Self>,
        note: ReceptionNote,
    ) -> Result<ReceptionNote> {
        run(move || self.update_record(note)).await
    }

    pub async fn create_return_visit_report(
        self: Arc<Self>,
        report: ReturnVisitReport,
    ) -> Result<ReturnVisitReport> {
        run(move || self.create_record(report)).await
    }
    pub async fn get_return_visit_report(self: Arc<Self>, id: String) -> Result<ReturnVisitReport> {
        run(move || self.get_record(&id)).await
    }
    pub async fn update_return_visit_report(
        self: Arc<Self>,
        report: ReturnVisitReport,
    ) -> Result<ReturnVisitReport> {
        run(move || self.update_record(report)).await
    }

    // `create_lead` registers through the lead rules: see `actions.rs`.
    pub async fn get_lead(self: Arc<Self>, id: String) -> Result<LeadReferral> {
        run(move || self.get_record(&id)).await
    }
    pub async fn update_lead(self: Arc<Self>, lead: LeadReferral) -> Result<LeadReferral> {
        run(move || self.update_record(lead)).await
    }
}

impl FieldbookStore {
    fn create_record<F: FfiRecord>(&self, record: F) -> Result<F> {
        let core = self.with_entry_ids(record.try_into()?)?;
        let stored = self.store.create(core)?;
        self.changed(stored.meta().id.to_string(), ChangeOrigin::Local);
        Ok(stored.into())
    }

    /// The record with a fresh id for every list entry (follow-up, confirmation…) that has none.
    pub(super) fn with_entry_ids<R: Record>(&self, record: R) -> Result<R> {
        let mut json = to_json(&record)?;
        fill_entry_ids(&mut json, &mut || self.store.new_record_id().to_string());
        from_json(json)
    }

    fn get_record<F: FfiRecord>(&self, id: &str) -> Result<F> {
        let id = record_id("id", id)?;
        Ok(self.store.get::<F::Core>(id)?.into())
    }

    fn get_customer_or_view(&self, id: &str) -> Result<Customer> {
        let id = record_id("id", id)?;
        match self.store.get::<fieldbook_core::Customer>(id) {
            Err(CoreError::NotFound(_)) => {
                match self.store.get::<fieldbook_core::Customer>(view_id(id)) {
                    Err(CoreError::NotFound(_)) => Err(CoreError::NotFound(id).into()),
                    other => Ok(other?.into()),
                }
            }
            other => Ok(other?.into()),
        }
    }

    fn update_record<F: FfiRecord>(&self, record: F) -> Result<F> {
        let id = record_id("meta.id", &record.meta().id)?;
        let edited: F::Core = record.try_into()?;
        let updated = self.store.update::<F::Core>(id, |current| {
            *current = self.merge_edit::<F>(current, edited).map_err(into_core)?;
            Ok(())
        })?;
        self.changed(id.to_string(), ChangeOrigin::Local);
        Ok(updated.into())
    }

    /// The stored record with the user's changes applied and nothing else: parts equal to what
    /// the app was given keep their stored value, new list entries get ids, and the creation
    /// details stay as stored (only the owner may change).
    fn merge_edit<F: FfiRecord>(&self, current: &F::Core, edited: F::Core) -> Result<F::Core> {
        let seen_by_app: F = current.clone().into();
        let seen: F::Core = seen_by_app.try_into()?;
        let mut merged = keep_unchanged(&to_json(current)?, &to_json(&seen)?, to_json(&edited)?);
        fill_entry_ids(&mut merged, &mut || self.store.new_record_id().to_string());
        let mut merged: F::Core = from_json(merged)?;
        let owner = merged.meta().owner.clone();
        *merged.meta_mut() = current.meta().clone();
        if owner != Default::default() {
            merged.meta_mut().owner = owner;
        }
        Ok(merged)
    }
}

fn to_json<R: Record>(record: &R) -> Result<Json> {
    serde_json::to_value(record).map_err(|e| FieldbookError::invalid("record", e.to_string()))
}

fn from_json<R: Record>(json: Json) -> Result<R> {
    serde_json::from_value(json).map_err(|e| FieldbookError::invalid("record", e.to_string()))
}

/// Carries an FFI error out of the core's edit closure.
fn into_core(e: FieldbookError) -> CoreError {
    match e {
        FieldbookError::InvalidInput { field, reason } => CoreError::InvalidInput {
            field,
            message: reason,
        },
        other => CoreError::InvalidInput {
            field: "record".into(),
            message: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::time::{Duration, SystemTime};

    use super::*;
    use crate::enums::{FollowUpChannel, LeadGrade, LeadSource, LeadStatus};
    use crate::records::FollowUp;

    fn lead(at: SystemTime) -> LeadReferral {
        LeadReferral {
            meta: Default::default(),
            code: String::new(),
            source: LeadSource::TradeShow,
            referrer_id: None,
            referrer_name: String::new(),
            event: String::new(),
            prospect: Default::default(),
            grade: LeadGrade::C,
            status: LeadStatus::Open,
            registered_at: Some(at),
            prospect_key: String::new(),
            clock_floor_at: None,
            server_received_at: None,
            contact_floor_at: None,
            lost_reason: String::new(),
            customer_id: None,
            invoiced_at: None,
            follow_ups: vec![FollowUp {
                id: String::new(),
                at,
                by: "rep.li".into(),
                channel: FollowUpChannel::Visit,
                said: "展位交流".into(),
                obstacles: String::new(),
                next_step: "寄样品".into(),
            }],
            history: vec![],
            stage: None,
            stage_changes: vec![],
            lost_request: None,
            won_amount_fen: None,
            invoiced_amount_fen: None,
            capture: None,
        }
    }

    fn open(dir: &tempfile::TempDir) -> Arc<FieldbookStore> {
        let path = dir.path().join("a.sqlite3").display().to_string();
        FieldbookStore::open(path, crate::new_device_id(), "rep.li".into(), None, None).unwrap()
    }

    #[test]
    fn an_edit_with_times_rounded_by_the_host_writes_only_the_real_change() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        let at = SystemTime::UNIX_EPOCH + Duration::new(1_763_884_800, 123_456_789);
        let created = store.create_record(lead(at)).unwrap();
        let heads_before = store
            .store
            .heads(record_id("id", &created.meta.id).unwrap())
            .unwrap();

        let mut edited = created.clone();
        edited.grade = LeadGrade::A;
        let swift_at = SystemTime::UNIX_EPOCH + Duration::new(1_763_884_800, 123_456_550);
        edited.registered_at = Some(swift_at);
        edited.follow_ups[0].at = swift_at;
        let updated = store.update_record(edited).unwrap();

        assert_eq!(updated.grade, LeadGrade::A);
        assert_eq!(
            updated.registered_at,
            Some(at),
            "stored time kept to the nanosecond"
        );
        assert_eq!(updated.follow_ups, created.follow_ups);
        assert_eq!(updated.meta, created.meta);
        let id = record_id("id", &created.meta.id).unwrap();
        assert_ne!(store.store.heads(id).unwrap(), heads_before);
    }

    #[test]
    fn an_unchanged_record_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        let created = store.create_record(lead(SystemTime::now())).unwrap();
        let id = record_id("id", &created.meta.id).unwrap();
        let heads_before = store.store.heads(id).unwrap();
        store.update_record(created).unwrap();
        assert_eq!(store.store.heads(id).unwrap(), heads_before);
    }

    #[test]
    fn creation_details_cannot_be_rewritten_but_the_owner_can_change() {
        let dir = tempfile::tempdir().unwrap();
        let store = open(&dir);
        let created = store.create_record(lead(SystemTime::now())).unwrap();
        let mut edited = created.clone();
        edited.meta.created_by = "someone.else".into();
        edited.meta.owner = "rep.wang".into();
        let updated = store.update_record(edited).unwrap();
        assert_eq!(updated.meta.created_by, "rep.li");
        assert_eq!(updated.meta.owner, "rep.wang");
    }
}
