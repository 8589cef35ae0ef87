//! `SyncSession`: sync of one store with the Fieldbook server, as a Kotlin / Swift object.
//!
//! ```kotlin
//! val sync = SyncSession(store, everySeconds = 300u)
//! val handle = sync.observeStatus(observer)   // Idle, Syncing(done, total, bytes, eta), Offline, AuthNeeded
//! sync.start("wss://sync.example.com/sync", token)
//! sync.syncNow()                              // suspend; the round's report
//! sync.stop()
//! ```
//!
//! Rounds run on a small tokio runtime owned by the library (two threads, shared by every
//! session, started on first use), so the app needs no runtime of its own and `syncNow()` is an
//! ordinary `suspend fun` / Swift `async` method. Records a round brings reach the store's
//! record observers with `ChangeOrigin.SYNC`. Nothing here panics across the boundary: the
//! round's blocking work runs under the same panic guard as the store's calls, and locks are
//! `parking_lot`'s (no poisoning, no `unwrap`).

mod round;
mod status;

use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::runtime::Runtime;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

pub use round::SyncReport;
pub use status::{SyncStatus, SyncStatusObserver};

use round::{Endpoint, Shared};

use crate::error::{FieldbookError, Result};
use crate::observer::{ChangeOrigin, ObservationHandle, RecordChange, RecordObserver};
use crate::store::FieldbookStore;

/// Sync of one store with one server, in the background while started.
#[derive(Debug, uniffi::Object)]
pub struct SyncSession {
    shared: Arc<Shared>,
    every: Duration,
    running: Mutex<Option<Running>>,
}

/// A started session: its schedule and what wakes it.
#[derive(Debug)]
struct Running {
    endpoint: Endpoint,
    task: JoinHandle<()>,
    /// Wakes the schedule on local changes; dropped (so cancelled) with the session's run.
    _local_changes: ObservationHandle,
}

#[uniffi::export]
impl SyncSession {
    /// A session for `store`, syncing every `every_seconds` while started (and soon after each
    /// local change). Nothing happens until `start`.
    #[uniffi::constructor(default(every_seconds = 300))]
    pub fn new(store: Arc<FieldbookStore>, every_seconds: u32) -> Arc<Self> {
        Arc::new(SyncSession {
            shared: Arc::new(Shared::new(store)),
            every: Duration::from_secs(u64::from(every_seconds.max(1))),
            running: Mutex::new(None),
        })
    }

    /// Starts syncing with the server at `url` (`ws://` or `wss://…/sync`) as the device whose
    /// token is `token`: a round now, then on schedule and after local changes. Starting again
    /// (a new token after `AuthNeeded`, another server) replaces the previous run.
    pub fn start(&self, url: String, token: String) -> Result<()> {
        if url.trim().is_empty() {
            return Err(FieldbookError::invalid(
                "url",
                "须填写服务器地址 / the server URL is required",
            ));
        }
        let runtime = runtime()?;
        let endpoint = Endpoint { url, token };
        let wake = Arc::new(Notify::new());
        let local_changes = self
            .shared
            .store
            .observe_internal(Arc::new(WakeOnLocalChange(wake.clone())));
        let mut running = self.running.lock();
        if let Some(previous) = running.take() {
            previous.task.abort();
        }
        self.shared.running.store(true, Ordering::SeqCst);
        let task = runtime.spawn(
            self.shared
                .clone()
                .schedule(endpoint.clone(), self.every, wake),
        );
        *running = Some(Running {
            endpoint,
            task,
            _local_changes: local_changes,
        });
        Ok(())
    }

    /// Stops background sync; a round under way is abandoned (what it stored stays stored).
    pub fn stop(&self) {
        if let Some(run) = self.running.lock().take() {
            run.task.abort();
        }
        self.shared.running.store(false, Ordering::SeqCst);
        self.shared.board.set(SyncStatus::Stopped);
    }

    /// Runs a round now (after the one under way, if any) and returns what it did. The session
    /// must be started. Fails with `AuthNeeded` (sign in again) or `Network` (offline).
    pub async fn sync_now(self: Arc<Self>) -> Result<SyncReport> {
        let endpoint = self
            .running
            .lock()
            .as_ref()
            .map(|r| r.endpoint.clone())
            .ok_or_else(|| {
                FieldbookError::invalid(
                    "url",
                    "同步尚未开始，请先调用 start / sync is not started: call start(url, token) first",
                )
            })?;
        let shared = self.shared.clone();
        runtime()?
            .spawn(async move { shared.round(&endpoint).await })
            .await
            .map_err(|e| FieldbookError::storage(format!("同步任务失败 / sync task failed: {e}")))?
    }

    /// Where sync stands now.
    pub fn status(&self) -> SyncStatus {
        self.shared.board.current()
    }

    /// Calls `observer` with the current status now and on every change, until the handle is
    /// cancelled.
    pub fn observe_status(&self, observer: Box<dyn SyncStatusObserver>) -> Arc<ObservationHandle> {
        Arc::new(self.shared.board.observe(observer))
    }
}

impl Drop for SyncSession {
    fn drop(&mut self) {
        if let Some(run) = self.running.get_mut().take() {
            run.task.abort();
        }
    }
}

/// Wakes the schedule when a record changes on this device (not when sync brought it).
struct WakeOnLocalChange(Arc<Notify>);

impl RecordObserver for WakeOnLocalChange {
    fn on_record_changed(&self, change: RecordChange) {
        if change.origin != ChangeOrigin::Sync {
            self.0.notify_one();
        }
    }
}

/// The library's runtime for sync, started on first use and kept for the life of the process.
fn runtime() -> Result<&'static Runtime> {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    if let Some(rt) = RUNTIME.get() {
        return Ok(rt);
    }
    let built = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("fieldbook-sync")
        .enable_all()
        .build()
        .map_err(|e| {
            FieldbookError::storage(format!("无法启动同步线程 / cannot start sync threads: {e}"))
        })?;
    // Two first calls may race: one runtime is kept, the other dropped here (outside any
    // runtime, which is allowed).
    Ok(RUNTIME.get_or_init(|| built))
}
