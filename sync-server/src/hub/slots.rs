//! Keeping the hub's memory bounded (issue 15 finding 8, issue 16). Every request takes a slot
//! (a lock and the loaded document) for its id. Two bounds keep the slots few:
//! - a slot that holds no document once its work is done is dropped again, so requests for ids
//!   that do not exist (or that a user may not read and the server does not hold) leave nothing
//!   behind (50,000 random requests used to keep ~385 MB);
//! - loaded documents are kept in least-recently-used order under a budget
//!   ([`DocHub::with_loaded_docs_budget`]): when a new slot passes it, the least recently used
//!   slots nobody is using are dropped. Their documents are durable in the store and reload on
//!   the next request; a slot in use (locked, or a handle held by a request) is never dropped,
//!   so the budget can be passed by the number of requests under way, never by idle documents.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use fieldbook_core::RecordId;

use super::{DocHub, Slot};
use crate::store::ServerStore;

/// Loaded documents kept by default: a few thousand small records (tens of MiB).
pub const DEFAULT_LOADED_DOCS: usize = 4096;

/// The slots by id, with their last use.
#[derive(Debug)]
pub(super) struct Slots {
    map: HashMap<RecordId, (Slot, u64)>,
    /// Last use → id, oldest first.
    order: BTreeMap<u64, RecordId>,
    tick: u64,
    budget: usize,
}

impl Default for Slots {
    fn default() -> Self {
        Slots {
            map: HashMap::new(),
            order: BTreeMap::new(),
            tick: 0,
            budget: DEFAULT_LOADED_DOCS,
        }
    }
}

/// Whether only the map holds `slot` and nobody has it locked: dropping it loses nothing.
fn unused(slot: &Slot) -> bool {
    Arc::strong_count(slot) == 1 && slot.try_lock().is_ok()
}

impl Slots {
    pub(super) fn set_budget(&mut self, budget: usize) {
        self.budget = budget.max(1);
    }

    /// The slot of `id`, created if needed, marked as just used.
    pub(super) fn take(&mut self, id: RecordId) -> Slot {
        self.tick += 1;
        let tick = self.tick;
        let slot = match self.map.get_mut(&id) {
            Some((slot, used)) => {
                self.order.remove(used);
                *used = tick;
                slot.clone()
            }
            None => {
                let slot = Slot::default();
                self.map.insert(id, (slot.clone(), tick));
                slot
            }
        };
        self.order.insert(tick, id);
        self.trim();
        slot
    }

    /// Drops least recently used, unused slots until the budget holds (or only slots in use
    /// are left over it).
    fn trim(&mut self) {
        let Some(excess) = self.map.len().checked_sub(self.budget) else {
            return;
        };
        if excess == 0 {
            return;
        }
        let victims: Vec<(u64, RecordId)> = self
            .order
            .iter()
            .filter(|(_, id)| self.map.get(id).is_some_and(|(slot, _)| unused(slot)))
            .take(excess)
            .map(|(t, id)| (*t, *id))
            .collect();
        for (tick, id) in victims {
            self.order.remove(&tick);
            self.map.remove(&id);
        }
    }

    /// Drops the slot of `id` if it holds no document and nobody is using it. Under the slots'
    /// lock no one can take a new handle of it, so "only the map holds it" is stable.
    fn release_if_empty(&mut self, id: RecordId) {
        let Some((slot, used)) = self.map.get(&id) else {
            return;
        };
        let empty = Arc::strong_count(slot) == 1 && slot.try_lock().is_ok_and(|h| h.is_none());
        if empty {
            let used = *used;
            self.order.remove(&used);
            self.map.remove(&id);
        }
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    fn ids(&self) -> Vec<RecordId> {
        self.map.keys().copied().collect()
    }
}

impl<S: ServerStore> DocHub<S> {
    /// Keeps at most `docs` documents loaded while idle (see the module docs).
    pub fn with_loaded_docs_budget(self, docs: usize) -> Self {
        self.slots.lock().set_budget(docs);
        self
    }

    pub(super) fn slot(&self, id: RecordId) -> Slot {
        self.slots.lock().take(id)
    }

    /// Drops the slot of `id` if it holds no document and nobody is using it.
    pub(super) fn release_if_empty(&self, id: RecordId) {
        self.slots.lock().release_if_empty(id);
    }

    /// The ids the hub holds a slot for (loaded or being worked on).
    pub(super) fn loaded_ids(&self) -> Vec<RecordId> {
        self.slots.lock().ids()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> RecordId {
        RecordId::from_random_bytes([n; 16])
    }

    #[test]
    fn idle_slots_beyond_the_budget_go_oldest_first_and_slots_in_use_stay() {
        let mut slots = Slots::default();
        slots.set_budget(3);
        let held = slots.take(id(1)); // in use for the whole test
        for n in 2..=4 {
            drop(slots.take(id(n)));
        }
        assert_eq!(
            slots.len(),
            3,
            "over the budget by one: the oldest idle slot went"
        );
        assert!(
            slots.map.contains_key(&id(1)),
            "the slot in use stays, however old"
        );
        assert!(!slots.map.contains_key(&id(2)));
        drop(slots.take(id(3))); // 3 is now the most recent
        drop(slots.take(id(5)));
        assert!(slots.map.contains_key(&id(3)) && !slots.map.contains_key(&id(4)));
        assert_eq!(slots.order.len(), slots.map.len());
        drop(held);
        drop(slots.take(id(6)));
        assert!(
            !slots.map.contains_key(&id(1)),
            "released, it is the oldest"
        );
        assert_eq!(slots.len(), 3);
    }

    #[test]
    fn an_empty_slot_is_released_and_a_loaded_one_is_kept() {
        let mut slots = Slots::default();
        drop(slots.take(id(1)));
        slots.release_if_empty(id(1));
        assert_eq!(slots.len(), 0);
        assert!(slots.order.is_empty());
    }
}
