//! Keeping the hub's memory bounded by what exists (issue 15, finding 8). Every request takes
//! a slot (a lock and the loaded document) for its id; a slot that holds no document once its
//! work is done is dropped again, so requests for ids that do not exist (or that a user may
//! not read and the server does not hold) leave nothing behind: 50,000 random requests used to
//! keep ~385 MB.

use fieldbook_core::RecordId;

use super::DocHub;
use crate::store::ServerStore;

impl<S: ServerStore> DocHub<S> {
    /// Drops the slot of `id` if it holds no document and nobody is using it. Under the slots'
    /// lock no one can take a new handle of it, so "only the map holds it" is stable.
    pub(super) fn release_if_empty(&self, id: RecordId) {
        let mut slots = self.slots.lock();
        let Some(slot) = slots.get(&id) else {
            return;
        };
        let unused = std::sync::Arc::strong_count(slot) == 1;
        if unused && slot.try_lock().is_ok_and(|held| held.is_none()) {
            slots.remove(&id);
        }
    }

    /// How many documents' slots the hub holds (loaded or being worked on); for tests and
    /// metrics.
    pub fn held_count(&self) -> usize {
        self.slots.lock().len()
    }

    /// How many documents some connection watches; for tests and metrics.
    pub fn watched_count(&self) -> usize {
        self.watchers.lock().len()
    }
}
