//! Issue 5 against the Fieldbook server: a stock automerge-repo JS client and Fieldbook devices
//! sync with `fieldbook-sync-server` (its CLI, in its own process so it can be killed), under
//! connection cuts at random byte offsets and server restarts.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use fieldbook_core::model::{FollowUp, LeadGrade};
use fieldbook_core::sync::DeviceSync;
use fieldbook_core::{DeviceId, DeviceStore, LeadReferral, RecordId, StoreOptions, UserId};
use fieldbook_tests::node;
use fieldbook_tests::scenarios::{crash_after_ack_scenario, cuts_scenario, restart_scenario};
use fieldbook_tests::{FaultPlan, FaultProxy, ServerKind, TestServer};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const ROUND: Duration = Duration::from_secs(30);

/// A device store of user `rep.test` and its own token (a device signs with its own actor ids).
async fn device_store(
    server: &TestServer,
    dir: &std::path::Path,
    name: &str,
    seed: u64,
) -> (Arc<DeviceStore>, String) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let device = DeviceId::from_random_bytes(rng.random());
    let token = server
        .add_device("rep.test", &device.to_string())
        .await
        .unwrap();
    let options = StoreOptions::new(device, UserId::new("rep.test").unwrap());
    let store = DeviceStore::open(dir.join(format!("{name}.sqlite3")), options).unwrap();
    (Arc::new(store), token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_js_client_reads_a_device_record_and_its_edit_reaches_the_device() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(ServerKind::Fieldbook, &dir.path().join("server.sqlite3"))
        .await
        .unwrap();
    let (store, token) = device_store(&server, dir.path(), "rep", 1).await;
    let lead = LeadReferral {
        code: "L-2026-000123".into(),
        event: "Canton Fair".into(),
        grade: LeadGrade::B,
        ..LeadReferral::default()
    };
    let lead = store.create(lead).unwrap();
    let id = lead.meta.id;
    let url = format!("ws://{}/sync", server.addr());
    let sync = DeviceSync::new(store.clone(), url, token);
    sync.sync_once(ROUND).await.unwrap();

    let read = node::client("read", &server.url(), &[("doc", &id.to_string())])
        .await
        .unwrap();
    assert_eq!(read["doc"]["code"], "L-2026-000123");
    assert_eq!(read["doc"]["event"], "Canton Fair");
    assert_eq!(read["doc"]["grade"], "B");
    assert_eq!(read["doc"]["kind"], "lead_referral");
    assert_eq!(
        read["schemaType"], "number",
        "a stock client reads `schema` as a plain number, not a BigInt (docs/protocol.md)"
    );

    let edit = [
        ("doc", id.to_string()),
        ("field", "grade".into()),
        ("value", "\"H\"".into()),
    ];
    let edit: Vec<(&str, &str)> = edit.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut args = edit.clone();
    args.push(("probe-ms", "0"));
    node::client("set", &server.url(), &args).await.unwrap();

    sync.sync_once(ROUND).await.unwrap();
    let lead: LeadReferral = store.get(id).unwrap();
    assert_eq!(lead.grade, LeadGrade::H);
    assert_eq!(lead.code, "L-2026-000123");
    server.stop().await.unwrap();
}

/// Syncs until a round completes, through whatever the proxy does; bounded attempts.
async fn sync_until_done(sync: &DeviceSync) -> u32 {
    for attempt in 1..=60 {
        match sync.sync_once(Duration::from_secs(10)).await {
            Ok(stats) => {
                // No loop: a completed round exchanges a bounded number of frames.
                assert!(stats.frames_sent < 2_000, "{stats:?}");
                return attempt;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
    panic!("no sync round completed in 60 attempts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_lose_and_duplicate_nothing_when_connections_are_cut_at_random_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(ServerKind::Fieldbook, &dir.path().join("server.sqlite3"))
        .await
        .unwrap();
    let (a, token_a) = device_store(&server, dir.path(), "a", 11).await;
    let (b, token_b) = device_store(&server, dir.path(), "b", 12).await;
    let lead = a.create(LeadReferral::default()).unwrap();
    let clean = format!("ws://{}/sync", server.addr());
    DeviceSync::new(a.clone(), &clean, &token_a)
        .sync_once(ROUND)
        .await
        .unwrap();
    DeviceSync::new(b.clone(), &clean, &token_b)
        .sync_once(ROUND)
        .await
        .unwrap();
    let id: RecordId = lead.meta.id;

    for seed in 1..=6u64 {
        let plan = FaultPlan::Random {
            probability: 0.7,
            max_offset: 4_000,
        };
        let proxy = FaultProxy::start(server.addr(), seed, plan).await.unwrap();
        let faulty = format!("ws://{}/sync", proxy.addr());
        for (tag, store, token) in [("a", &a, &token_a), ("b", &b, &token_b)] {
            store
                .update::<LeadReferral>(id, |l| {
                    // A real follow-up: by the rep, now (issue 17's judge refuses others).
                    l.follow_ups.push(FollowUp {
                        id: format!("{tag}-{seed}"),
                        at: store.clock().now(),
                        by: store.user().clone(),
                        said: format!("{tag}-{seed}"),
                        next_step: "再联系".into(),
                        ..FollowUp::default()
                    });
                    Ok(())
                })
                .unwrap();
            sync_until_done(&DeviceSync::new(store.clone(), &faulty, token)).await;
        }
    }
    for (store, token) in [(&a, &token_a), (&b, &token_b), (&a, &token_a)] {
        DeviceSync::new(store.clone(), &clean, token)
            .sync_once(ROUND)
            .await
            .unwrap();
    }
    assert_eq!(a.heads(id).unwrap(), b.heads(id).unwrap());
    let lead: LeadReferral = a.get(id).unwrap();
    let mut ids: Vec<&str> = lead.follow_ups.iter().map(|f| f.id.as_str()).collect();
    ids.sort_unstable();
    let mut want: Vec<String> = (1..=6)
        .flat_map(|s| [format!("a-{s}"), format!("b-{s}")])
        .collect();
    want.sort_unstable();
    assert_eq!(ids, want.iter().map(String::as_str).collect::<Vec<_>>());
    let read = node::client("read", &server.url(), &[("doc", &id.to_string())])
        .await
        .unwrap();
    let server_heads: Vec<String> = serde_json::from_value(read["heads"].clone()).unwrap();
    let mut device_heads: Vec<String> =
        a.heads(id).unwrap().iter().map(|h| h.to_string()).collect();
    let mut server_heads = server_heads;
    device_heads.sort_unstable();
    server_heads.sort_unstable();
    assert_eq!(device_heads, server_heads);
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_clients_acked_edits_survive_cuts_at_random_offsets() {
    cuts_scenario(ServerKind::Fieldbook).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_clients_acked_edits_survive_a_server_restart_mid_sync() {
    restart_scenario(ServerKind::Fieldbook).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acknowledged_change_survives_a_server_crash_right_after_the_ack() {
    crash_after_ack_scenario(ServerKind::Fieldbook)
        .await
        .unwrap();
}

/// A device held connected is sent another device's change to a record it syncs, without
/// asking (one node; `multi_node.rs` does it across two).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connected_device_is_pushed_a_change_to_a_record_it_syncs() {
    use fieldbook_core::model::Customer;
    use fieldbook_tests::fleet::wait_until;
    use fieldbook_tests::live::LiveDevice;

    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(ServerKind::Fieldbook, &dir.path().join("server.sqlite3"))
        .await
        .unwrap();
    let (writer, writer_token) = device_store(&server, dir.path(), "writer", 1).await;
    let (reader, reader_token) = device_store(&server, dir.path(), "reader", 2).await;
    let url = format!("ws://{}/sync", server.addr());
    let customer = Customer {
        name: "丁公司".into(),
        ..Customer::default()
    };
    let id = writer.create(customer).unwrap().meta.id;
    let writer_sync = DeviceSync::new(writer.clone(), url.clone(), writer_token);
    writer_sync.sync_once(ROUND).await.unwrap();
    DeviceSync::new(reader.clone(), url.clone(), reader_token.clone())
        .sync_once(ROUND)
        .await
        .unwrap();
    assert!(reader.contains(id).unwrap());
    let live = LiveDevice::connect(reader.clone(), &url, &reader_token, Arc::new(|| {}))
        .await
        .unwrap();
    writer
        .update::<Customer>(id, |c| {
            c.needs = "冷库".into();
            Ok(())
        })
        .unwrap();
    writer_sync.sync_once(ROUND).await.unwrap();
    wait_until("the connected reader is sent the change", ROUND, || async {
        Ok(reader.get::<Customer>(id)?.needs == "冷库")
    })
    .await
    .unwrap();
    live.close().await.unwrap();
}
