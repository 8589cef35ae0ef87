//! Where sync stands, as the app shows it (a cloud icon, "syncing 3 of 10", "sign in again"),
//! and the observers that hear it. The board keeps the current status, so a screen that
//! registers late is told at once, and only publishes real changes.

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use fieldbook_core::sync::SyncEngine;
use parking_lot::Mutex;

use crate::error::FieldbookError;
use crate::observer::{ObservationHandle, Observers};

/// Where sync stands.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum SyncStatus {
    /// Not started, or stopped: nothing leaves the device.
    Stopped,
    /// Up to date as of `last_synced_at` (`null` before the first round); the next round runs
    /// on schedule or soon after a local change.
    Idle { last_synced_at: Option<SystemTime> },
    /// A round is under way: `done` records settled of `total` known so far (the total grows
    /// while the server lists what changed on its side; on a bulk transfer of many records it
    /// is known once the index has settled), `bytes` moved so far both ways, and an estimate of
    /// the seconds left (`null` until a record is done).
    Syncing {
        done: u64,
        total: u64,
        bytes: u64,
        eta_seconds: Option<u64>,
    },
    /// The server could not be reached (`error` is bilingual); retried automatically.
    Offline { error: String },
    /// The server refused the device's token: sign in again and `start` with a new token.
    /// Background rounds have stopped.
    AuthNeeded { reason: String },
}

/// Seconds left if the rest goes as fast as what is done (`None` before anything is done).
fn eta_seconds(elapsed: f64, done: u64, total: u64) -> Option<u64> {
    if done == 0 || total < done {
        return None;
    }
    let left = elapsed * (total - done) as f64 / done as f64;
    Some(left.ceil() as u64)
}

/// Implemented by the app to hear sync's status. Called on a background thread; return quickly
/// (post to the main thread).
#[uniffi::export(callback_interface)]
pub trait SyncStatusObserver: Send + Sync {
    fn on_sync_status(&self, status: SyncStatus);
}

/// The current status and its observers.
#[derive(Debug)]
pub(crate) struct StatusBoard {
    current: Mutex<SyncStatus>,
    /// When the round under way started (for the estimate of the time left).
    started: Mutex<Option<Instant>>,
    observers: Arc<Observers<dyn SyncStatusObserver>>,
}

impl Default for StatusBoard {
    fn default() -> Self {
        StatusBoard {
            current: Mutex::new(SyncStatus::Stopped),
            started: Mutex::new(None),
            observers: Arc::default(),
        }
    }
}

impl StatusBoard {
    pub(crate) fn current(&self) -> SyncStatus {
        self.current.lock().clone()
    }

    /// Registers `observer` and tells it the current status straight away.
    pub(crate) fn observe(&self, observer: Box<dyn SyncStatusObserver>) -> ObservationHandle {
        let observer: Arc<dyn SyncStatusObserver> = Arc::from(observer);
        let handle = self.observers.add(observer.clone());
        let now = self.current();
        let told = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            observer.on_sync_status(now)
        }));
        if told.is_err() {
            tracing::warn!("a sync status observer failed; skipped");
        }
        handle
    }

    /// Publishes `status` if it differs from the current one.
    pub(crate) fn set(&self, status: SyncStatus) {
        {
            let mut current = self.current.lock();
            if *current == status {
                return;
            }
            *current = status.clone();
        }
        self.observers.each(|o| o.on_sync_status(status.clone()));
    }

    /// A round starts: nothing done yet.
    pub(crate) fn round_started(&self) {
        *self.started.lock() = Some(Instant::now());
        self.set(SyncStatus::Syncing {
            done: 0,
            total: 0,
            bytes: 0,
            eta_seconds: None,
        });
    }

    /// Publishes the progress of the round `engine` is running: the bulk transfer's records
    /// when many records move in batches, else the records settled one by one.
    pub(crate) fn progress(&self, engine: &SyncEngine) {
        let stats = engine.stats();
        let (done, total) = match stats.progress() {
            (done, total) if total > 0 => (done, total),
            _ => {
                let done = stats.records_settled + stats.records_refused;
                (
                    done,
                    done + u64::try_from(engine.in_flight()).unwrap_or(u64::MAX),
                )
            }
        };
        let elapsed = self.started.lock().map(|s| s.elapsed());
        self.set(SyncStatus::Syncing {
            done,
            total,
            bytes: stats.bytes_sent + stats.bytes_received,
            eta_seconds: elapsed.and_then(|e| eta_seconds(e.as_secs_f64(), done, total)),
        });
    }

    /// Publishes how a round that ended at `at` went.
    pub(crate) fn finished<T>(&self, outcome: &Result<T, FieldbookError>, at: SystemTime) {
        self.set(match outcome {
            Ok(_) => SyncStatus::Idle {
                last_synced_at: Some(at),
            },
            Err(FieldbookError::AuthNeeded { reason }) => SyncStatus::AuthNeeded {
                reason: reason.clone(),
            },
            Err(e) => SyncStatus::Offline {
                error: e.to_string(),
            },
        });
    }
}

#[cfg(test)]
mod tests {
    use super::eta_seconds;

    #[test]
    fn the_estimate_scales_what_is_done_to_what_is_left() {
        assert_eq!(eta_seconds(2.0, 0, 100), None);
        assert_eq!(eta_seconds(2.0, 25, 100), Some(6));
        assert_eq!(eta_seconds(2.0, 100, 100), Some(0));
        assert_eq!(eta_seconds(2.0, 5, 3), None);
    }
}
