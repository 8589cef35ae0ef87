//! Desk actions: a change made by the server on a user's behalf (the back office), checked by
//! the same schema, write rule table and lifecycle judge as a device's change, then stored,
//! indexed and synced.

use fieldbook_core::access::{Author, Refusal, check_write, conflict_paths_changed};
use fieldbook_core::model::Record;
use fieldbook_core::schema::{Policy, check_record};
use fieldbook_core::sync::heads_key;
use fieldbook_core::{RecordDoc, RecordId, UserId};

use super::{DocHub, Held, MAX_WRITE_ATTEMPTS, is_index_doc, too_busy};
use crate::error::{Result, ServerError};
use crate::store::ServerStore;

/// What a desk edit made of a record.
#[derive(Debug)]
pub enum EditOutcome {
    /// Stored and synced to devices; the record as it now is.
    Stored(serde_json::Value),
    /// The write rules refused it; nothing changed.
    Refused(fieldbook_core::access::Refusal),
    /// No such record (or not one the user may read).
    NotFound,
}

impl<S: ServerStore> DocHub<S> {
    /// A change made by the server on a user's behalf (the back office's desk actions):
    /// checked by the same write rules as a device's change, stored, indexed and pushed to the
    /// devices that hold the record. `edit` runs again on the latest state if another node
    /// wrote the record meanwhile.
    pub async fn edit_as(
        &self,
        user: &fieldbook_core::UserId,
        id: RecordId,
        edit: impl Fn(&mut RecordDoc) -> fieldbook_core::Result<()>,
    ) -> Result<EditOutcome> {
        for _ in 0..MAX_WRITE_ATTEMPTS {
            if let Some(outcome) = self.try_edit_as(user, id, &edit).await? {
                return Ok(outcome);
            }
        }
        Err(too_busy(id))
    }

    async fn try_edit_as(
        &self,
        user: &fieldbook_core::UserId,
        id: RecordId,
        edit: &impl Fn(&mut RecordDoc) -> fieldbook_core::Result<()>,
    ) -> Result<Option<EditOutcome>> {
        let slot = self.slot(id);
        let mut held = slot.lock().await;
        self.load(id, &mut held).await?;
        let Some(current) = held.as_ref() else {
            return Ok(Some(EditOutcome::NotFound));
        };
        let before_json = current.doc.to_json();
        if is_index_doc(&before_json) || !self.access.read().may_read(user, &before_json) {
            return Ok(Some(EditOutcome::NotFound));
        }
        let mut twin = current.clone();
        let before = twin.doc.heads();
        let before_conflicts = twin.doc.conflicts();
        edit(&mut twin.doc)?;
        if twin.doc.heads() == before {
            return Ok(Some(EditOutcome::Stored(before_json)));
        }
        let after = twin.doc.to_json();
        if let Err(refusal) = schema_check(id, &after) {
            return Ok(Some(EditOutcome::Refused(refusal)));
        }
        let extra = conflict_paths_changed(&before_conflicts, &twin.doc.conflicts());
        let checked = {
            let access = self.access.read();
            let author = fieldbook_core::access::Author { user, device: None };
            fieldbook_core::access::check_write(
                &access.dir,
                &access.leads,
                author,
                id,
                Some(&before_json),
                &after,
                &extra,
            )
            .and_then(|()| self.judge_desk(&access.dir, user, id, Some(&before_json), &after))
        };
        if let Err(refusal) = checked {
            return Ok(Some(EditOutcome::Refused(refusal)));
        }
        let changes = self.changes_since(&mut twin.doc, &before);
        let chunk = twin.doc.save_after(&before);
        if !self.persist(&mut twin, &chunk).await? {
            self.catch_up(id, &mut held).await?;
            return Ok(None);
        }
        self.note_receipts(id, user, None, changes).await;
        let key = heads_key(&twin.doc.heads());
        *held = Some(twin);
        drop(held);
        self.after_stored(id, &after, &key).await?;
        Ok(Some(EditOutcome::Stored(after)))
    }

    /// Whether `user` may create `record` (the write rules for a new record), without storing
    /// anything: how an import checks every row before it creates any.
    pub fn check_create<R: Record>(&self, user: &UserId, record: &R) -> Result<(), Refusal> {
        let id = record.meta().id;
        if id.is_reserved() {
            return Err(Refusal {
                record: id,
                field: "/meta/id".into(),
                reason: "编号为服务器保留 / the id is reserved for index documents".into(),
            });
        }
        let after = match RecordDoc::create(record, self.actor.clone()) {
            Ok(doc) => doc.to_json(),
            Err(e) => {
                return Err(Refusal {
                    record: id,
                    field: String::new(),
                    reason: e.to_string(),
                });
            }
        };
        schema_check(id, &after)?;
        let access = self.access.read();
        let author = Author { user, device: None };
        check_write(&access.dir, &access.leads, author, id, None, &after, &[])?;
        self.judge_desk(&access.dir, user, id, None, &after)
    }

    /// The lifecycle judge on a desk write, as `user`, at the server's clock.
    fn judge_desk(
        &self,
        dir: &fieldbook_core::access::Directory,
        user: &UserId,
        id: RecordId,
        before: Option<&serde_json::Value>,
        after: &serde_json::Value,
    ) -> Result<(), Refusal> {
        let calendar = fieldbook_core::WorkCalendar::china_default();
        let ctx = fieldbook_core::lifecycle::Context {
            user,
            role: Some(
                dir.role(user)
                    .unwrap_or(fieldbook_core::access::Role::FieldRep),
            ),
            now: self.clock.now(),
            floor: None,
            dir: Some(dir),
            calendar: &calendar,
        };
        fieldbook_core::lifecycle::judge(before, after, &ctx).map_err(|v| v.refusal(id))
    }

    /// A new record created by the server on a user's behalf (the back office's import):
    /// checked by the same write rules as a device's new record, stored, and indexed so that
    /// the devices in its scope discover it. An id already stored is invalid input.
    pub async fn create_as<R: Record>(&self, user: &UserId, record: &R) -> Result<EditOutcome> {
        let id = record.meta().id;
        if let Err(refusal) = self.check_create(user, record) {
            return Ok(EditOutcome::Refused(refusal));
        }
        let slot = self.slot(id);
        let mut held = slot.lock().await;
        self.load(id, &mut held).await?;
        if held.is_some() {
            return Err(ServerError::Invalid(format!(
                "记录已存在 / record {id} already exists"
            )));
        }
        let mut new = Held {
            doc: RecordDoc::create(record, self.actor.clone())?,
            bytes: 0,
            chunks: 0,
            version: 0,
        };
        let changes = self.changes_since(&mut new.doc, &[]);
        let chunk = new.doc.save();
        if !self.persist(&mut new, &chunk).await? {
            // Another node stored a record with this id first.
            self.catch_up(id, &mut held).await?;
            return Err(ServerError::Invalid(format!(
                "记录已存在 / record {id} already exists"
            )));
        }
        self.note_receipts(id, user, None, changes).await;
        let (json, key) = (new.doc.to_json(), heads_key(&new.doc.heads()));
        *held = Some(new);
        drop(held);
        self.after_stored(id, &json, &key).await?;
        Ok(EditOutcome::Stored(json))
    }
}

/// The record's schema (ADR 0011), as a refusal of the desk's kind.
fn schema_check(id: RecordId, after: &serde_json::Value) -> Result<(), Refusal> {
    check_record(id, after, Policy::Server).map_err(|r| Refusal {
        record: id,
        field: r.field,
        reason: r.problem.to_string(),
    })
}
