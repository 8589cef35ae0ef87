//! "Cheap when little changed" (issue 5): a device holding N records of which 5 changed
//! exchanges work proportional to 5, not to N. Both directions are counted in frames: the device
//! that made the 5 changes pushing them (its unacknowledged records), and another device of the
//! same user pulling them (the index document's new entries, then those records only). The
//! counts must be equal for N = 200 and N = 1,000 and stay below a small multiple of 5.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone;
use fieldbook_core::model::LeadGrade;
use fieldbook_core::sync::{DeviceSync, SyncStats};
use fieldbook_core::{
    DeviceId, DeviceStore, FixedClock, LeadReferral, RecordId, SeededEntropy, StoreOptions, UserId,
};
use fieldbook_tests::{ServerKind, TestServer};

const ROUND: Duration = Duration::from_secs(300);
const CHANGED: usize = 5;

fn store(dir: &Path, n: u8) -> Arc<DeviceStore> {
    let mut options = StoreOptions::new(
        DeviceId::from_random_bytes([n; 16]),
        UserId::new("rep.test").unwrap(),
    );
    options.clock = Arc::new(FixedClock::new(
        chrono::Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    ));
    options.entropy = Arc::new(SeededEntropy::new(u64::from(n)));
    Arc::new(DeviceStore::open(dir.join(format!("d{n}.sqlite3")), options).unwrap())
}

fn lead(i: usize) -> LeadReferral {
    LeadReferral {
        code: format!("L-2026-{i:06}"),
        event: "Canton Fair".into(),
        grade: LeadGrade::B,
        ..LeadReferral::default()
    }
}

/// Frames of the push and of the pull of 5 changes on a device that holds `n` records.
async fn five_changes(n: usize) -> (SyncStats, SyncStats) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.sqlite3");
    let server = TestServer::start(ServerKind::Fieldbook, &db).await.unwrap();
    let url = format!("ws://{}/sync", server.addr());
    let writer = store(dir.path(), 1);
    let reader = store(dir.path(), 2);
    // Each device its own token: a change is accepted only from the device whose id it carries.
    let writer_token = server
        .add_device("rep.test", &writer.device().to_string())
        .await
        .unwrap();
    let push = DeviceSync::new(writer.clone(), url.clone(), writer_token);
    let reader_token = server
        .add_device("rep.test", &reader.device().to_string())
        .await
        .unwrap();
    let pull = DeviceSync::new(reader.clone(), url, reader_token);

    let ids: Vec<RecordId> = (0..n)
        .map(|i| writer.create(lead(i)).unwrap().meta.id)
        .collect();
    push.sync_once(ROUND).await.unwrap();
    let first = pull.sync_once(ROUND).await.unwrap();
    // Every record, plus the index document.
    assert_eq!(
        first.records_changed as usize,
        n + 1,
        "initial sync: {first:?}"
    );
    assert_eq!(reader.list(None).unwrap().len(), n);

    for id in &ids[..CHANGED] {
        writer
            .update(*id, |l: &mut LeadReferral| {
                l.grade = LeadGrade::H;
                Ok(())
            })
            .unwrap();
    }
    let pushed = push.sync_once(ROUND).await.unwrap();
    let pulled = pull.sync_once(ROUND).await.unwrap();
    for id in &ids[..CHANGED] {
        assert_eq!(reader.get::<LeadReferral>(*id).unwrap().grade, LeadGrade::H);
        assert!(writer.is_synced(*id, "server").unwrap());
    }
    server.stop().await.unwrap();
    (pushed, pulled)
}

fn frames(s: &SyncStats) -> u64 {
    s.frames_sent + s.frames_received
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incremental_sync_after_5_changes_costs_the_same_for_200_and_1000_records() {
    let (push_small, pull_small) = five_changes(200).await;
    let (push_large, pull_large) = five_changes(1_000).await;

    // Proportional to the 5 changes: a handful of frames per changed record, plus the
    // handshake and the index document.
    let bound = 8 * CHANGED as u64 + 8;
    for s in [&push_small, &pull_small, &push_large, &pull_large] {
        assert!(frames(s) <= bound, "{} frames > {bound}: {s:?}", frames(s));
    }
    // The 5 records and the index document changed on the reader, nothing else.
    assert_eq!(pull_small.records_changed, CHANGED as u64 + 1);
    assert_eq!(pull_large.records_changed, CHANGED as u64 + 1);
    // Not growing with what is stored. The reader's pull is exactly equal. The writer's push
    // also receives the index document's updates for its own 5 changes, sent as they happen,
    // so between 1 and 5 of them travel depending on timing: a slack of 2 frames per change,
    // where growth with N would show as hundreds.
    assert_eq!(
        frames(&pull_small),
        frames(&pull_large),
        "{pull_small:?} {pull_large:?}"
    );
    assert!(
        frames(&push_small).abs_diff(frames(&push_large)) <= 2 * CHANGED as u64,
        "{push_small:?} {push_large:?}"
    );
}
