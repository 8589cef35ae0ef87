//! Pruning the change feed (issue 16): entries every node has read are deleted, so the feed
//! no longer grows by a row per write forever. The follower keeps this node's cursor here;
//! every [`PruneConfig::every`] (and after a compaction) the node notes it in the store and
//! prunes below the lowest cursor of the nodes seen within [`PruneConfig::silent_after`]. A
//! node silent for longer no longer holds the feed: when it comes back below the pruned floor,
//! it reloads everything it holds (`follow.rs`). On SQLite the one node prunes below its own
//! cursor. Times come from the hub's clock, so a test can make a node look silent.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::{DocHub, blocking};
use crate::error::Result;
use crate::store::{FeedCursor, FeedPruned, ServerStore};

/// When the feed is pruned.
#[derive(Debug, Clone, Copy)]
pub struct PruneConfig {
    /// Time between two prunes by this node (each after compacting what batched writes took
    /// past the threshold).
    pub every: Duration,
    /// A node that has not noted its cursor for this long no longer holds the feed back.
    pub silent_after: Duration,
}

impl Default for PruneConfig {
    /// Every minute; a node silent for ten minutes (many prunes, and far more than any pause
    /// of a live node) is left behind.
    fn default() -> Self {
        PruneConfig {
            every: Duration::from_secs(60),
            silent_after: Duration::from_secs(600),
        }
    }
}

/// This node's part in pruning.
#[derive(Debug)]
pub(super) struct Pruning {
    /// The name this node notes its cursor under (its actor: new at each start).
    reader: String,
    /// How far the follower has taken the feed in; `None` before it starts.
    followed: parking_lot::Mutex<Option<FeedCursor>>,
    config: PruneConfig,
    /// A prune after a compaction is under way (one at a time is enough).
    busy: Arc<AtomicBool>,
}

impl Pruning {
    pub(super) fn new(actor: &automerge::ActorId) -> Self {
        Pruning {
            reader: format!("node-{actor}"),
            followed: parking_lot::Mutex::new(None),
            config: PruneConfig::default(),
            busy: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl<S: ServerStore> DocHub<S> {
    /// Prunes the feed as `config` says.
    pub fn with_pruning(mut self, config: PruneConfig) -> Self {
        self.pruning.config = config;
        self
    }

    /// The follower has taken in the feed up to `cursor`.
    pub(super) fn followed_to(&self, cursor: FeedCursor) {
        *self.pruning.followed.lock() = Some(cursor);
    }

    /// Notes this node's cursor and prunes what every node seen recently has read; `None`
    /// before the follower has started (nothing to note).
    pub async fn prune_feed(&self) -> Result<Option<FeedPruned>> {
        let Some(work) = self.prune_work() else {
            return Ok(None);
        };
        blocking(work).await.map(Some)
    }

    /// Every [`PruneConfig::every`], for as long as the task runs: takes out the grants that
    /// expired (`grants.rs`), compacts what batched writes took past the threshold
    /// (`compact.rs`), then prunes.
    pub async fn prune_periodically(self: Arc<Self>) {
        let every = self.pruning.config.every.max(Duration::from_millis(1));
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            if let Err(e) = self.sweep_grants().await {
                tracing::warn!(error = %e, "sweeping expired grants failed");
            }
            self.compact_batched().await;
            match self.prune_feed().await {
                Ok(Some(p)) if p.deleted > 0 => tracing::debug!(deleted = p.deleted, "feed pruned"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "pruning the feed failed"),
            }
        }
    }

    /// Prunes in the background, unless a prune started this way is still running.
    pub(super) fn prune_soon(&self) {
        let Some(work) = self.prune_work() else {
            return;
        };
        let busy = self.pruning.busy.clone();
        if busy.swap(true, Ordering::AcqRel) {
            return;
        }
        tokio::spawn(async move {
            if let Err(e) = blocking(work).await {
                tracing::warn!(error = %e, "pruning the feed failed");
            }
            busy.store(false, Ordering::Release);
        });
    }

    /// The store work of one prune, made of what it needs now.
    fn prune_work(&self) -> Option<impl FnOnce() -> Result<FeedPruned> + Send + 'static> {
        let cursor = (*self.pruning.followed.lock())?;
        let (store, reader) = (self.store.clone(), self.pruning.reader.clone());
        let now = self.clock.now();
        let since = chrono::TimeDelta::from_std(self.pruning.config.silent_after)
            .ok()
            .and_then(|silent| now.checked_sub_signed(silent))
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
        Some(move || {
            store.note_reader(&reader, cursor, now)?;
            store.prune_feed(since)
        })
    }
}
