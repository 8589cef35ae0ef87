//! Desk actions: a change made by the server on a user's behalf (the back office), checked by
//! the same write rule table as a device's change, then stored, indexed and synced.

use fieldbook_core::access::conflict_paths_changed;
use fieldbook_core::sync::heads_key;
use fieldbook_core::{RecordDoc, RecordId};

use super::{DocHub, MAX_WRITE_ATTEMPTS, is_index_doc, too_busy};
use crate::error::Result;
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
        };
        if let Err(refusal) = checked {
            return Ok(Some(EditOutcome::Refused(refusal)));
        }
        let chunk = twin.doc.save_after(&before);
        if !self.persist(&mut twin, &chunk).await? {
            self.catch_up(id, &mut held).await?;
            return Ok(None);
        }
        let key = heads_key(&twin.doc.heads());
        *held = Some(twin);
        drop(held);
        self.after_stored(id, &after, &key).await?;
        Ok(Some(EditOutcome::Stored(after)))
    }
}
