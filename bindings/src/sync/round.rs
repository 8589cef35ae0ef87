//! One sync round and the background schedule around it.
//!
//! A round runs the core's WebSocket driver (`DeviceSync::sync_once_with_progress`) on the
//! session's tokio runtime, publishing progress as records settle. Records the round changed
//! on this device are found by comparing every document's heads before and after (one indexed
//! read each, no document is loaded), and the record observers hear them as `Sync`. Rounds
//! never overlap: the background schedule and `syncNow()` take turns.
//!
//! The schedule: a round at start, then every `every` and soon (0.3 s, to gather a burst of
//! edits into one round) after a local change. After a failure it retries sooner, 5 s doubling
//! up to `every`; a refused token ends the schedule (the app must sign in again).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use fieldbook_core::sync::{DeviceSync, index_id};
use fieldbook_core::{DeviceStore, Error as CoreError, RecordId};
use tokio::sync::Notify;

use super::status::StatusBoard;
use crate::convert::ts;
use crate::error::{FieldbookError, Result};
use crate::observer::ChangeOrigin;
use crate::store::FieldbookStore;

/// How long one round may take before it counts as a network failure.
const ROUND_TIMEOUT: Duration = Duration::from_secs(60);
/// First retry after a failed round; doubles up to the schedule's period.
const FIRST_RETRY: Duration = Duration::from_secs(5);
/// How long after a local change the round starts (edits made together travel together).
const GATHER: Duration = Duration::from_millis(300);

/// What one round did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct SyncReport {
    /// Records changed on this device by what the server sent.
    pub records_received: u64,
    /// Records that ended the round identical on both sides.
    pub records_settled: u64,
    /// Records whose change the server refused (kept on the device).
    pub records_refused: u64,
}

/// Where to sync: the server's WebSocket URL and the device's token.
#[derive(Clone)]
pub(crate) struct Endpoint {
    pub(crate) url: String,
    pub(crate) token: String,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// What the session's tasks share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) store: Arc<FieldbookStore>,
    pub(crate) board: Arc<StatusBoard>,
    pub(crate) running: AtomicBool,
    turn: tokio::sync::Mutex<()>,
}

impl Shared {
    pub(crate) fn new(store: Arc<FieldbookStore>) -> Self {
        Shared {
            store,
            board: Arc::default(),
            running: AtomicBool::new(false),
            turn: tokio::sync::Mutex::new(()),
        }
    }

    /// Runs one round (waiting for one under way to finish first) and publishes its outcome.
    pub(crate) async fn round(&self, endpoint: &Endpoint) -> Result<SyncReport> {
        let _turn = self.turn.lock().await;
        let store = self.store.device_store().clone();
        self.board.round_started();
        let before = heads(store.clone()).await?;
        let sync = DeviceSync::new(store.clone(), &endpoint.url, &endpoint.token);
        let board = self.board.clone();
        let outcome = sync
            .sync_once_with_progress(ROUND_TIMEOUT, |engine| board.progress(engine))
            .await
            .map_err(sync_error)
            .map(|s| SyncReport {
                records_received: s.records_changed,
                records_settled: s.records_settled,
                records_refused: s.records_refused,
            });
        // Even a failed round may have brought records: tell the observers either way.
        self.announce(before).await?;
        if self.running.load(Ordering::SeqCst) {
            self.board.finished(&outcome, ts(store.clock().now()));
        } else {
            self.board.set(super::SyncStatus::Stopped);
        }
        outcome
    }

    /// Tells the record observers, on a pool thread, which records the round changed.
    async fn announce(&self, before: HashMap<RecordId, String>) -> Result<()> {
        let store = self.store.clone();
        let index = index_id(store.device_store().user());
        run_blocking(move || {
            let after = store.device_store().heads_keys()?;
            for (id, key) in after {
                if id != index && before.get(&id) != Some(&key) {
                    store.changed(id.to_string(), ChangeOrigin::Sync);
                }
            }
            Ok(())
        })
        .await
    }

    /// The background schedule; returns when the token is refused (or when aborted).
    pub(crate) async fn schedule(
        self: Arc<Self>,
        endpoint: Endpoint,
        every: Duration,
        wake: Arc<Notify>,
    ) {
        let mut retry = FIRST_RETRY;
        loop {
            let wait = match self.round(&endpoint).await {
                Ok(_) => {
                    retry = FIRST_RETRY;
                    every
                }
                Err(FieldbookError::AuthNeeded { .. }) => return,
                Err(_) => {
                    let wait = retry.min(every);
                    retry = retry.saturating_mul(2);
                    wait
                }
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = wake.notified() => tokio::time::sleep(GATHER).await,
            }
        }
    }
}

/// Every document's heads key, read on the blocking pool.
async fn heads(store: Arc<DeviceStore>) -> Result<HashMap<RecordId, String>> {
    run_blocking(move || Ok(store.heads_keys()?)).await
}

async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(move || crate::background::guarded(work))
        .await
        .map_err(|e| FieldbookError::storage(format!("同步任务失败 / sync task failed: {e}")))?
}

/// Sync's errors as the app acts on them: a refused token (HTTP 401/403, or the server's
/// refusal message) asks for sign-in; any other HTTP failure or transport error is "offline".
fn sync_error(e: CoreError) -> FieldbookError {
    match &e {
        CoreError::Refused(m)
            if m.starts_with("HTTP ")
                && !(m.starts_with("HTTP 401") || m.starts_with("HTTP 403")) =>
        {
            FieldbookError::Network {
                reason: e.to_string(),
            }
        }
        _ => e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_401_asks_for_sign_in_and_a_gateway_error_is_offline() {
        let refused = sync_error(CoreError::Refused(
            "HTTP 401 Unauthorized on the WebSocket upgrade".into(),
        ));
        assert!(matches!(refused, FieldbookError::AuthNeeded { .. }));
        let gateway = sync_error(CoreError::Refused(
            "HTTP 502 Bad Gateway on the WebSocket upgrade".into(),
        ));
        assert!(matches!(gateway, FieldbookError::Network { .. }));
        let down = sync_error(CoreError::Network("connection refused".into()));
        assert!(
            matches!(down, FieldbookError::Network { reason } if reason.starts_with("网络错误"))
        );
    }

    #[test]
    fn the_token_is_not_in_debug_output() {
        let e = Endpoint {
            url: "ws://127.0.0.1:1/sync".into(),
            token: "secret-token".into(),
        };
        assert!(!format!("{e:?}").contains("secret"));
    }
}
