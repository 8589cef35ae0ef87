//! # fieldbook-sync-server
//!
//! The sync server (axum + tokio). It speaks automerge-repo's network protocol "1" to devices
//! (`docs/protocol.md`), applies every incoming change to a twin copy and shows it to a
//! [`ChangeGate`] before storing or passing it on, stores documents durably (SQLite by
//! default, behind [`ServerStore`]) before acknowledging, and keeps a per-user index document
//! so that devices discover the records meant for them. The back office ([`office`]) reads the
//! merged records under the same access rules and changes them through the same hub.

#![forbid(unsafe_code)]

pub mod accounts;
mod admin_api;
mod api_error;
mod app;
mod app_state;
mod auth;
mod connection;
mod error;
mod gate;
mod guard;
mod hub;
pub mod office;
pub mod store;
mod sync_route;
mod web;

use std::net::SocketAddr;
use std::sync::Arc;

pub use auth::token_hash;
pub use error::{Result, ServerError};
pub use fieldbook_core as core;
pub use gate::{BasicGate, ChangeGate, GateContext};
pub use hub::{
    ChangeOrigin, DEFAULT_COMPACT_AFTER_CHUNKS, DEFAULT_LOADED_DOCS, DataSubject, DocHub, ERASED,
    ERASURE_SECRET, EditOutcome, ErasureKey, FollowConfig, HeldRecord, History, Person,
    PersonErasure, PruneConfig,
};
pub use office::Office;
pub use store::{ChangeReceipt, DeviceAuth, DocSummary, PgStore, ServerStore, SqliteStore};

use fieldbook_core::{Clock, DeviceId, OsEntropy, SystemClock, UserId};
use tokio::sync::oneshot;

/// How to run the server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The server's clock (token expiry, receipt stamps, the access log); injected in tests.
    pub clock: Arc<dyn Clock>,
    pub listen: SocketAddr,
    /// Largest WebSocket message and frame accepted (default 8 MiB).
    pub max_message_bytes: usize,
    /// Largest stored document (default 16 MiB).
    pub max_doc_bytes: u64,
    /// Documents kept loaded in memory while idle, least recently used dropped first (they
    /// reload from the store); default [`hub::DEFAULT_LOADED_DOCS`].
    pub loaded_docs: usize,
    /// How this node learns of writes by other nodes sharing its database.
    pub follow: FollowConfig,
    /// A document with more chunks is rewritten as one (default
    /// [`DEFAULT_COMPACT_AFTER_CHUNKS`]).
    pub compact_after_chunks: u64,
    /// When the change feed is pruned.
    pub prune: PruneConfig,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            clock: Arc::new(SystemClock),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            max_message_bytes: 8 * 1024 * 1024,
            max_doc_bytes: 16 * 1024 * 1024,
            loaded_docs: hub::DEFAULT_LOADED_DOCS,
            follow: FollowConfig::default(),
            compact_after_chunks: DEFAULT_COMPACT_AFTER_CHUNKS,
            prune: PruneConfig::default(),
        }
    }
}

/// A server running in this process.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    follower: tokio::task::JoinHandle<()>,
    pruner: tokio::task::JoinHandle<()>,
    hub: Arc<dyn HubCounts>,
}

/// What a running server's hub holds in memory, as counts (tests and metrics assert on these,
/// not on the process's size).
pub trait HubCounts: Send + Sync + std::fmt::Debug {
    /// Documents the hub keeps a slot for ([`DocHub::held_count`]).
    fn held_count(&self) -> usize;
    /// Documents some connection watches ([`DocHub::watched_count`]).
    fn watched_count(&self) -> usize;
}

impl<S: ServerStore> HubCounts for DocHub<S> {
    fn held_count(&self) -> usize {
        DocHub::held_count(self)
    }
    fn watched_count(&self) -> usize {
        DocHub::watched_count(self)
    }
}

impl RunningServer {
    /// The address it listens on (the real port when started on port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The WebSocket URL devices connect to.
    pub fn url(&self) -> String {
        format!("ws://{}/sync", self.addr)
    }

    /// The hub's memory, as counts.
    pub fn hub(&self) -> &dyn HubCounts {
        self.hub.as_ref()
    }

    /// Stops accepting, lets connections finish, and waits. Acknowledged data is already durable.
    pub async fn shutdown(mut self) -> Result<()> {
        self.follower.abort();
        self.pruner.abort();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.task
            .await
            .map_err(|e| ServerError::Task(e.to_string()))??;
        Ok(())
    }
}

/// Starts the server with `store` and the default gate; returns once it listens.
pub async fn start<S: ServerStore>(store: Arc<S>, config: ServerConfig) -> Result<RunningServer> {
    let gate = Arc::new(BasicGate {
        max_doc_bytes: config.max_doc_bytes,
    });
    start_with_gate(store, gate, config).await
}

/// Starts the server with a custom [`ChangeGate`].
pub async fn start_with_gate<S: ServerStore>(
    store: Arc<S>,
    gate: Arc<dyn ChangeGate>,
    config: ServerConfig,
) -> Result<RunningServer> {
    let actor = automerge::ActorId::from(rand::random::<[u8; 16]>().to_vec());
    let hub = Arc::new(
        DocHub::new(store, gate, actor, config.clock.clone())
            .with_max_doc_bytes(config.max_doc_bytes)
            .with_loaded_docs_budget(config.loaded_docs)
            .with_compaction_after(config.compact_after_chunks)
            .with_pruning(config.prune),
    );
    let from = hub.feed_position().await?;
    hub.warm().await?;
    let follower = tokio::spawn(hub.clone().follow(from, config.follow));
    let pruner = tokio::spawn(hub.clone().prune_periodically());
    let office = office::Office::new(hub.clone(), fieldbook_core::WorkCalendar::china_default());
    let counts: Arc<dyn HubCounts> = hub.clone();
    let state = Arc::new(app_state::AppState {
        hub,
        office,
        max_message_bytes: config.max_message_bytes,
        throttle: guard::LoginThrottle::default(),
    });
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    // The peer's address feeds the sign-in throttle.
    let app = app::router(state).into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await
    });
    tracing::info!(%addr, "sync server listening");
    Ok(RunningServer {
        addr,
        shutdown: Some(tx),
        task,
        follower,
        pruner,
        hub: counts,
    })
}

/// Registers a device of `user` and returns its fresh token (shown once, stored hashed,
/// valid for [`accounts::TOKEN_TTL`] from now).
pub fn add_device<S: ServerStore>(store: &S, device: DeviceId, user: UserId) -> Result<String> {
    let issued = accounts::issue_token(
        store,
        &SystemClock,
        &OsEntropy,
        device,
        user,
        accounts::TOKEN_TTL,
    )?;
    Ok(issued.token)
}
