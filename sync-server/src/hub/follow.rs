//! Following the other nodes that share the database (ADR 0009). The follower reads the change
//! feed after the last position it took in; it wakes when the store says another node wrote
//! (Postgres `LISTEN`/`NOTIFY`) or, at the latest, every `poll`, so a lost notification or a
//! dropped listening connection costs latency, never a change. For each document another node
//! wrote, the held copy catches up (reloads from the store); then the write is announced as a
//! local one is: lead groups, index entries, and the connections syncing it. Team and account
//! changes reload the directory; revocations end the device's connections here too.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use fieldbook_core::{RecordDoc, RecordId};

use super::{DocHub, Held, blocking, is_index_doc};
use crate::error::Result;
use crate::store::{FeedEvent, ServerStore};

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

impl<S: ServerStore> DocHub<S> {
    /// The feed position now: read it before [`DocHub::warm`], follow from it after.
    pub async fn feed_position(&self) -> Result<u64> {
        let store = self.store.clone();
        blocking(move || store.latest_change()).await
    }

    /// Follows the feed after `cursor` for as long as the task runs.
    pub async fn follow(self: Arc<Self>, mut cursor: u64, config: FollowConfig) {
        loop {
            if let Err(e) = self.wait(config).await {
                tracing::warn!(error = %e, "waiting for the feed failed");
                tokio::time::sleep(config.poll).await;
            }
            loop {
                match self.follow_once(cursor).await {
                    Ok(Some(next)) => cursor = next,
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, cursor, "following the feed failed; retrying");
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

    /// Takes in one batch of the feed after `cursor`; the position reached, `None` if there
    /// was nothing new. On an error nothing is skipped: the batch is read again next time.
    async fn follow_once(&self, cursor: u64) -> Result<Option<u64>> {
        let store = self.store.clone();
        let entries = blocking(move || store.changes_since(cursor, BATCH)).await?;
        let Some(last) = entries.last().map(|e| e.seq) else {
            return Ok(None);
        };
        let (mut docs, mut seen, mut directory) = (Vec::new(), HashSet::new(), false);
        for entry in entries {
            match entry.event {
                FeedEvent::Appended(id) | FeedEvent::Rewritten(id) => {
                    if self.take_in(id, entry.seq).await? && seen.insert(id) {
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
        Ok(Some(last))
    }

    /// Brings the held copy of `id` up to feed position `seq`; `false` if that write was this
    /// node's own (already announced).
    async fn take_in(&self, id: RecordId, seq: u64) -> Result<bool> {
        let slot = self.slot(id);
        let mut held = slot.lock().await;
        // Own writes are recorded before the slot is released, so this check cannot miss one.
        if self.own_writes.lock().remove(&seq) {
            return Ok(false);
        }
        if held.as_ref().is_some_and(|h| h.version < seq) {
            self.catch_up(id, &mut held).await?;
        }
        Ok(true)
    }

    /// Another node's write, announced as a local one.
    async fn announce(&self, id: RecordId) -> Result<()> {
        let Some((json, key)) = self.json_and_key(id).await? else {
            return Ok(());
        };
        if is_index_doc(&json) {
            self.learn_index(id).await?;
            let _ = self.changed.send(id);
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
            version: stored.version,
        });
        Ok(())
    }
}
