//! Keeping each user's index document equal to their scope: after a record is stored, and
//! whenever the directory changes, every record's readers are recomputed; users who gained
//! it get an entry, users who lost it lose the entry (their device then removes its copy).

use std::collections::{HashMap, HashSet};

use fieldbook_core::access::{is_view, view_of};
use fieldbook_core::model::LeadReferral;
use fieldbook_core::sync::index_doc::{
    INDEX_KIND, entry_key, index_user, init_index, legacy_index_id, parse_entry, put_entry,
    read_entries, remove_entry,
};
use fieldbook_core::sync::{heads_key, index_id};
use fieldbook_core::{RecordId, UserId};
use serde_json::Value as Json;

use super::{DocHub, Held, MAX_WRITE_ATTEMPTS, SERVER_DEVICE, blocking, too_busy};
use crate::accounts::directory;
use crate::error::Result;
use crate::store::{DocSummary, ServerStore};

impl<S: ServerStore> DocHub<S> {
    /// Loads what access needs at start: the directory, every lead's ownership group and every
    /// index document's entries; binds the server's actor to itself.
    pub async fn warm(&self) -> Result<()> {
        let (store, now) = (self.store.clone(), self.clock.now());
        let actor = self.actor.to_bytes().to_vec();
        let (dir, docs) = blocking(move || {
            store.claim_actor(&actor, SERVER_DEVICE)?;
            Ok((directory(store.as_ref(), now)?, store.list_docs()?))
        })
        .await?;
        self.access.write().set_directory(dir);
        let mut unmoved = false;
        let mut fresh = Fresh::new(&docs);
        for doc in &docs {
            if doc.kind == "lead_referral" {
                if let Some((json, _)) = self.json_and_key(doc.id).await? {
                    self.note_lead(doc.id, &json);
                }
            } else if doc.kind == INDEX_KIND {
                unmoved |= self.learn_index(doc.id, &docs, &mut fresh).await?;
            }
        }
        if unmoved {
            // Upgraded from index ids outside the reserved space: build every index anew at
            // its reserved id (ADR 0002). The old documents stay stored, never served.
            tracing::info!("legacy index documents found: rebuilding every index");
            self.reindex_all(&docs).await?;
        } else {
            self.reindex_stale(&docs, &fresh).await?;
        }
        Ok(())
    }

    /// Mends what a crash left between storing a record and writing its index entries (both
    /// are durable, one after the other): a record no index lists at its stored heads is
    /// indexed again. Without this, a record stored and acknowledged just before a crash would
    /// stay out of its owner's index, and the owner's device would take it for withdrawn from
    /// its scope and remove its own copy. A view is mended through its real record.
    async fn reindex_stale(&self, docs: &[DocSummary], fresh: &Fresh) -> Result<()> {
        let mut mended = 0usize;
        for doc in docs.iter().filter(|d| d.kind != INDEX_KIND) {
            if fresh.listed.contains(&doc.id) {
                continue;
            }
            let Some((json, key)) = self.json_and_key(doc.id).await? else {
                continue;
            };
            match view_of(&json) {
                Some(real) => {
                    if let Some((json, key)) = self.json_and_key(real).await? {
                        self.reindex(real, &json, &key).await?;
                    }
                }
                None => self.reindex(doc.id, &json, &key).await?,
            }
            mended += 1;
        }
        if mended > 0 {
            tracing::info!(
                mended,
                "records no index listed at their stored heads: indexed again"
            );
        }
        Ok(())
    }

    /// Learns the entries of a genuine index document; for a legacy one (stored at the index
    /// id of before the reserved space) learns nothing and says whether its user still has no
    /// index at the reserved id.
    /// Notes in `fresh` the records it lists at their stored heads.
    pub(super) async fn learn_index(
        &self,
        id: RecordId,
        docs: &[DocSummary],
        fresh: &mut Fresh,
    ) -> Result<bool> {
        let slot = self.slot(id);
        let mut held = slot.lock().await;
        self.load(id, &mut held).await?;
        let Some(h) = held.as_mut() else {
            return Ok(false);
        };
        let Some(user) = index_user(h.doc.automerge()) else {
            return Ok(false);
        };
        if id != index_id(&user) {
            let moved = docs.iter().any(|d| d.id == index_id(&user));
            return Ok(id == legacy_index_id(&user) && !moved);
        }
        let entries = read_entries(h.doc.automerge());
        let mut access = self.access.write();
        for (record, entry) in entries {
            fresh.note(record, &entry);
            access
                .indexed
                .entry(record)
                .or_default()
                .insert(user.clone());
        }
        Ok(false)
    }

    /// Re-reads the directory and the active grants (after an admin changed accounts or
    /// teams, or another node a grant) and brings every index document in line with it.
    pub async fn reload_access(&self) -> Result<()> {
        let (store, now) = (self.store.clone(), self.clock.now());
        let (dir, docs) =
            blocking(move || Ok((directory(store.as_ref(), now)?, store.list_docs()?))).await?;
        self.access.write().set_directory(dir);
        self.reindex_all(&docs).await
    }

    /// Brings every record's index entries in line with the access state.
    async fn reindex_all(&self, docs: &[DocSummary]) -> Result<()> {
        for doc in docs.iter().filter(|d| d.kind != INDEX_KIND) {
            if let Some((json, key)) = self.json_and_key(doc.id).await? {
                self.reindex(doc.id, &json, &key).await?;
            }
        }
        Ok(())
    }

    /// Takes a lead's state into the ownership groups (keyed by its document id, whatever its
    /// JSON claims).
    pub(super) fn note_lead(&self, id: RecordId, json: &Json) -> Vec<RecordId> {
        match serde_json::from_value::<LeadReferral>(json.clone()) {
            Ok(mut lead) => {
                lead.meta.id = id;
                self.access.write().update_lead(lead)
            }
            Err(_) => Vec::new(),
        }
    }

    /// After a record's new state is stored: its lead group, then the index entries of it and
    /// of every lead whose ownership outcome changed; then the connections are told.
    pub(super) async fn after_stored(&self, id: RecordId, json: &Json, key: &str) -> Result<()> {
        let affected = if json.get("kind").and_then(Json::as_str) == Some("lead_referral") {
            self.note_lead(id, json)
        } else {
            Vec::new()
        };
        self.reindex(id, json, key).await?;
        for other in affected.into_iter().filter(|o| *o != id) {
            if let Some((json, key)) = self.json_and_key(other).await? {
                self.reindex(other, &json, &key).await?;
            }
        }
        self.notify_changed(id);
        Ok(())
    }

    pub(super) async fn json_and_key(&self, id: RecordId) -> Result<Option<(Json, String)>> {
        let slot = self.slot(id);
        let mut held = slot.lock().await;
        self.load(id, &mut held).await?;
        Ok(held
            .as_mut()
            .map(|h| (h.doc.to_json(), heads_key(&h.doc.heads()))))
    }

    /// Puts `record` into its readers' indexes and takes it out of everyone else's.
    /// An A-grade customer's view follows it (`views.rs`); a view itself is indexed only so.
    pub(super) async fn reindex(&self, record: RecordId, json: &Json, key: &str) -> Result<()> {
        if is_view(json) {
            return Ok(());
        }
        let (readers, gone) = {
            let access = self.access.read();
            let readers = access.readers(json);
            let old = access.indexed.get(&record).cloned().unwrap_or_default();
            let gone: Vec<UserId> = old.difference(&readers).cloned().collect();
            (readers, gone)
        };
        let key = entry_key(json, key);
        for user in &readers {
            self.index_entry(user, record, Some(&key)).await?;
        }
        for user in &gone {
            self.index_entry(user, record, None).await?;
        }
        self.access.write().indexed.insert(record, readers);
        self.sync_view(record, json).await
    }

    /// Takes a record the sender just wrote out of their index if they may not hold it (a
    /// lead that lost at once to an earlier registration): without an index entry ever made,
    /// their device would keep its copy — and an erasure would never reach it.
    pub(super) async fn withdraw_from_sender(
        &self,
        user: &UserId,
        record: RecordId,
        json: &Json,
    ) -> Result<()> {
        if self.access.read().may_read(user, json) {
            return Ok(());
        }
        self.index_entry(user, record, None).await
    }

    /// Sets (or, with `None`, removes) one entry of `user`'s index document. Once the
    /// document exists, entries are written without the version check: only servers write
    /// index documents, chunks are append-only, and every node re-puts a record's entry each
    /// time it takes in a write of the record, so two nodes' concurrent entries both survive
    /// and the last one put knows of every write (ADR 0009). A version check here made two
    /// nodes invalidate each other's hot index documents until retries ran out. Creating the
    /// document is checked: two nodes creating it at once would give it two roots, which a
    /// device takes for a rewritten history.
    async fn index_entry(&self, user: &UserId, record: RecordId, key: Option<&str>) -> Result<()> {
        self.index_entries(user, &[(record, key.map(str::to_owned))])
            .await
    }

    /// [`Self::index_entry`] for many records at once: one chunk, one write (a bulk push).
    pub(super) async fn index_entries(
        &self,
        user: &UserId,
        entries: &[(RecordId, Option<String>)],
    ) -> Result<()> {
        let id = index_id(user);
        let slot = self.slot(id);
        let mut held = slot.lock().await;
        self.load(id, &mut held).await?;
        for _ in 0..MAX_WRITE_ATTEMPTS {
            if let Some(h) = held.as_mut() {
                if !self.is_genuine_index(id, &mut h.doc).await? {
                    // Not the server's: never written into (finding 3).
                    *held = None;
                    return Ok(());
                }
                // Changed in place, not on a copy: a wide reader's index is large and written
                // on every change in their scope.
                let before = h.doc.heads();
                let written = match set_entries(h, user, entries) {
                    Ok(false) => return Ok(()),
                    Ok(true) => {
                        let chunk = h.doc.save_after(&before);
                        self.append_unchecked(h, &chunk).await
                    }
                    Err(e) => Err(e),
                };
                if let Err(e) = written {
                    // The held copy may have an entry the store has not: load it afresh.
                    *held = None;
                    return Err(e);
                }
                self.notify_changed(id);
                return Ok(());
            }
            let mut h = Held::empty(id, &self.actor);
            if !set_entries(&mut h, user, entries)? {
                return Ok(());
            }
            let chunk = h.doc.save_after(&[]);
            if self.persist(&mut h, &chunk).await? {
                *held = Some(h);
                self.notify_changed(id);
                return Ok(());
            }
            self.catch_up(id, &mut held).await?;
        }
        Err(too_busy(id))
    }
}

/// Which records some index document lists at the heads the store holds for them (at start).
pub(super) struct Fresh {
    stored: HashMap<RecordId, String>,
    listed: HashSet<RecordId>,
}

impl Fresh {
    pub(super) fn new(docs: &[DocSummary]) -> Self {
        let stored = docs
            .iter()
            .filter(|d| d.kind != INDEX_KIND)
            .map(|d| (d.id, d.heads_key.clone()))
            .collect();
        Fresh {
            stored,
            listed: HashSet::new(),
        }
    }

    fn note(&mut self, record: RecordId, entry: &str) {
        let (_, key) = parse_entry(entry);
        if self.stored.get(&record).is_some_and(|k| k == key) {
            self.listed.insert(record);
        }
    }
}

/// [`set_entry`] for each entry; whether any changed.
fn set_entries(
    h: &mut Held,
    user: &UserId,
    entries: &[(RecordId, Option<String>)],
) -> Result<bool> {
    let mut changed = false;
    for (record, key) in entries {
        changed |= set_entry(h, user, *record, key.as_deref())?;
    }
    Ok(changed)
}

/// Sets (or removes) one entry in a held index document; whether it changed.
fn set_entry(h: &mut Held, user: &UserId, record: RecordId, key: Option<&str>) -> Result<bool> {
    Ok(match key {
        Some(key) => put_entry(h.doc.automerge(), user, record, key)?,
        // A user without an index gets an empty one: their device learns to drop the record.
        None => init_index(h.doc.automerge(), user)? | remove_entry(h.doc.automerge(), record)?,
    })
}
