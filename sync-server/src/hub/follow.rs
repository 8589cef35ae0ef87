//! Following the other nodes that share the database (ADR 0009). The follower reads the change
//! feed after the last position it took in; it wakes when the store says another node wrote
//! (Postgres `LISTEN`/`NOTIFY`) or, at the latest, every `poll`, so a lost notification or a
//! dropped listening connection costs latency, never a change. For each document another node
//! wrote, the held copy catches up (reloads from the store); then the write is announced as a
//! local one is: lead groups, index entries, and the connections syncing it. Team and account
//! changes reload the directory; revocations end the device's connections here too. Another
//! node's compaction reloads the held copy (one chunk now) and announces nothing: the heads did
//! not move. The feed is pruned below every node's cursor (`prune.rs`); a node that comes back
//! from below the pruned floor (it was silent for long) may have missed writes, so it takes in
//! everything again: every held document reloaded, the directory, lead groups and index
//! entries rebuilt as at start, and every revoked device's connections ended.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use fieldbook_core::{RecordDoc, RecordId};

use super::index::Fresh;
use super::{DocHub, Held, blocking, is_index_doc};
use crate::error::Result;
use crate::store::{FeedCursor, FeedEvent, ServerStore};

/// How a node learns of other nodes' writes.
#[derive(Debug, Clone, Copy)]
pub struct FollowConfig {
    /// Wake on the store's notifications (Postgres `LISTEN`); `false`: poll only.
    pub listen: bool,
    /// Longest time between two reads of the feed.
    pub poll: Duration,
}

impl Default for FollowConfig {
    fn default() -> Self {
        FollowConfig {
            listen: true,
            poll: Duration::from_millis(500),
        }
    }
}

/// Feed entries taken in at once.
const BATCH: usize = 1000;

/// How soon to read again when committed entries wait behind a running transaction (which
/// may end without a notification: not every transaction writes the feed).
const HELD_BACK_RETRY: Duration = Duration::from_millis(10);

impl<S: ServerStore> DocHub<S> {
    /// The feed position now: read it before [`DocHub::warm`], follow from it after.
    pub async fn feed_position(&self) -> Result<FeedCursor> {
        let store = self.store.clone();
        blocking(move || store.latest_change()).await
    }

    /// Follows the feed after `cursor` for as long as the task runs.
    pub async fn follow(self: Arc<Self>, mut cursor: FeedCursor, config: FollowConfig) {
        self.followed_to(cursor);
        loop {
            if let Err(e) = self.wait(config).await {
                tracing::warn!(error = %e, "waiting for the feed failed");
                tokio::time::sleep(config.poll).await;
            }
            loop {
                match self.follow_once(cursor).await {
                    Ok((next, more, held_back)) => {
                        cursor = next;
                        self.followed_to(cursor);
                        if held_back {
                            tokio::time::sleep(HELD_BACK_RETRY).await;
                        } else if !more {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, ?cursor, "following the feed failed; retrying");
                        break;
                    }
                }
            }
        }
    }

    async fn wait(&self, config: FollowConfig) -> Result<()> {
        if config.listen {
            let store = self.store.clone();
            blocking(move || store.wait_for_change(config.poll)).await?;
        } else {
            tokio::time::sleep(config.poll).await;
        }
        Ok(())
    }

    /// Takes in one batch of the feed after `cursor`; the cursor reached, whether the batch
    /// was full (read on at once) and whether entries were held back (read again shortly). On
    /// an error nothing is skipped: the batch is read again next time.
    async fn follow_once(&self, cursor: FeedCursor) -> Result<(FeedCursor, bool, bool)> {
        let store = self.store.clone();
        let batch = blocking(move || store.changes_since(cursor, BATCH)).await?;
        let more = batch.entries.len() >= BATCH;
        if batch.missed {
            self.take_in_everything().await?;
        }
        let (mut docs, mut seen, mut directory) = (Vec::new(), HashSet::new(), false);
        for entry in batch.entries {
            match entry.event {
                FeedEvent::Compacted(id) => self.take_in_compaction(id, entry.seq).await?,
                FeedEvent::Appended(id) | FeedEvent::Rewritten(id) => {
                    let rewritten = matches!(entry.event, FeedEvent::Rewritten(_));
                    if self.take_in(id, entry.seq, rewritten).await? && seen.insert(id) {
                        docs.push(id);
                    }
                }
                FeedEvent::Directory => directory = true,
                FeedEvent::Revoked(device) => self.revoke(device),
            }
        }
        if directory {
            self.reload_access().await?;
        }
        for id in docs {
            self.announce(id).await?;
        }
        Ok((batch.next, more, batch.held_back))
    }

    /// Brings the held copy of `id` up to feed position `seq` (a `rewritten` history is
    /// loaded whole); `false` if that write was this node's own (already announced).
    async fn take_in(&self, id: RecordId, seq: u64, rewritten: bool) -> Result<bool> {
        let slot = self.slot(id);
        let mut held = slot.lock().await;
        // Own writes are recorded before the slot is released, so this check cannot miss one.
        if self.own_writes.lock().remove(&seq) {
            return Ok(false);
        }
        let Some(version) = held.as_ref().map(|h| h.version).filter(|v| *v < seq) else {
            return Ok(true);
        };
        if rewritten || !self.merge_after(id, version, &mut held).await? {
            self.catch_up(id, &mut held).await?;
        }
        Ok(true)
    }

    /// Another node compacted `id` at feed position `seq`: a held copy behind it is reloaded
    /// (the same history in one chunk, at the new version); nothing is announced.
    async fn take_in_compaction(&self, id: RecordId, seq: u64) -> Result<()> {
        {
            let slot = self.slot(id);
            let mut held = slot.lock().await;
            let own = self.own_writes.lock().remove(&seq);
            if !own && held.as_ref().is_some_and(|h| h.version < seq) {
                self.catch_up(id, &mut held).await?;
            }
        }
        self.release_if_empty(id);
        Ok(())
    }

    /// After a gap in the feed (entries pruned before this node read them): everything this
    /// node derives from the feed is taken in again from the store.
    async fn take_in_everything(&self) -> Result<()> {
        tracing::warn!("the feed was pruned past this node's cursor: taking in everything again");
        let mut moved = Vec::new();
        for id in self.loaded_ids() {
            let slot = self.slot(id);
            let mut held = slot.lock().await;
            let Some(before) = held.as_ref().map(|h| h.version) else {
                continue;
            };
            self.catch_up(id, &mut held).await?;
            if held.as_ref().map(|h| h.version) != Some(before) {
                moved.push(id);
            }
        }
        self.warm().await?;
        self.reload_access().await?;
        for id in moved {
            self.notify_changed(id);
        }
        let store = self.store.clone();
        let tokens = blocking(move || store.device_tokens()).await?;
        let revoked: HashSet<_> = tokens
            .iter()
            .filter(|t| t.revoked_at.is_some())
            .map(|t| t.device)
            .collect();
        for device in revoked {
            self.revoke(device);
        }
        Ok(())
    }

    /// Merges the chunks stored after `version` into the held copy, if the store can give
    /// just those; `false` if it cannot (then catch up whole).
    async fn merge_after(
        &self,
        id: RecordId,
        version: u64,
        held: &mut Option<Held>,
    ) -> Result<bool> {
        let store = self.store.clone();
        let Some(stored) = blocking(move || store.load_after(id, version)).await? else {
            return Ok(false);
        };
        let Some(h) = held.as_mut() else {
            return Ok(false);
        };
        h.doc.apply_chunk(&stored.bytes)?;
        // An index document's own unchecked chunks are counted twice; none is size-gated.
        h.bytes += stored.bytes.len() as u64;
        h.chunks += stored.chunks;
        h.version = h.version.max(stored.version);
        Ok(true)
    }

    /// Another node's write, announced as a local one.
    async fn announce(&self, id: RecordId) -> Result<()> {
        let Some((json, key)) = self.json_and_key(id).await? else {
            return Ok(());
        };
        if is_index_doc(&json) {
            self.learn_index(id, &[], &mut Fresh::new(&[])).await?;
            self.notify_changed(id);
            return Ok(());
        }
        self.after_stored(id, &json, &key).await
    }

    /// Replaces the held copy by the stored document (a superset of it, as everything held was
    /// stored first, unless its history was rewritten: then connections are told so).
    pub(super) async fn catch_up(&self, id: RecordId, held: &mut Option<Held>) -> Result<()> {
        let store = self.store.clone();
        let Some(stored) = blocking(move || store.load_versioned(id)).await? else {
            *held = None;
            return Ok(());
        };
        let mut doc = RecordDoc::load(id, &stored.bytes, self.actor.clone())?;
        if let Some(old) = held.as_mut() {
            let rewritten = old
                .doc
                .heads()
                .iter()
                .any(|h| doc.automerge().get_change_by_hash(h).is_none());
            if rewritten {
                let _ = self.rewritten.send(id);
            }
        }
        *held = Some(Held {
            doc,
            bytes: stored.bytes.len() as u64,
            chunks: stored.chunks,
            version: stored.version,
        });
        Ok(())
    }
}
