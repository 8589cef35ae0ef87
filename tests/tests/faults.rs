//! Faults (issue 5): the connection may be cut at any byte, the server may restart mid-sync,
//! and no acknowledged change may be lost or duplicated. The scenarios live in
//! `fieldbook_tests::scenarios`; `harness_*` runs them against automerge-repo's own server,
//! which checks the harness and records how the reference behaves.

use fieldbook_tests::ServerKind;
use fieldbook_tests::scenarios::{cuts_scenario, restart_scenario};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harness_acked_edits_survive_cuts_at_random_offsets_on_automerge_repo_server()
-> anyhow::Result<()> {
    cuts_scenario(ServerKind::AutomergeRepo).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn harness_acked_edits_survive_a_server_restart_mid_sync_on_automerge_repo_server()
-> anyhow::Result<()> {
    restart_scenario(ServerKind::AutomergeRepo).await
}
