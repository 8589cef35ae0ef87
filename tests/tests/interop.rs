//! Interop (issue 5): a stock automerge-repo JS client (`tests/interop/client.mjs`, pinned in
//! its package-lock, run by Node) syncs with a sync server.
//!
//! `harness_*` checks the harness itself against automerge-repo's own server, so a failure in the
//! Fieldbook tests points at Fieldbook, not at the Node side.

#![allow(clippy::unwrap_used)]

use std::net::{Ipv4Addr, SocketAddr};

use fieldbook_tests::node::{self, PeerServer};
use fieldbook_tests::{FaultPlan, FaultProxy};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harness_client_creates_reads_and_edits_through_automerge_repo_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = PeerServer::start(&dir.path().join("data")).await.unwrap();
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, server.port()));
    let proxy = FaultProxy::start(addr, 0, FaultPlan::Clean).await.unwrap();
    let url = format!("ws://{}", proxy.addr());

    let record = json!({"kind": "customer", "schema": 1, "name": "Acme", "grade": "B"});
    let created = node::client("create", &url, &[("value", &record.to_string())])
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_string();

    let edited = node::client(
        "set",
        &url,
        &[("doc", &id), ("field", "grade"), ("value", "\"A\"")],
    )
    .await
    .unwrap();
    assert_eq!(edited["doc"]["grade"], "A");

    // A third, fresh client sees the edit: the server holds it, not just the editing client.
    let read = node::client("read", &url, &[("doc", &id)]).await.unwrap();
    assert_eq!(
        read["doc"],
        json!({"kind": "customer", "schema": 1, "name": "Acme", "grade": "A"})
    );
    assert_eq!(read["heads"], edited["heads"]);
    assert!(proxy.stats().bytes() > 0);
    server.stop().await.unwrap();
}
