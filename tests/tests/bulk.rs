//! The bulk path (issue 16): a phone that captured 10,000 records offline pushes them, a new
//! phone of the same user pulls them, both through batches; every record arrives once, and a
//! later sync of 5 changes in that 10,000-record store stays a handful of frames. Asserts
//! behaviour only; the timings are printed for the record (see `docs/benchmarks.md`).

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::TimeZone;
use fieldbook_core::model::LeadGrade;
use fieldbook_core::sync::{DeviceSync, SyncStats};
use fieldbook_core::{
    DeviceId, DeviceStore, FixedClock, LeadReferral, RecordId, SeededEntropy, StoreOptions, UserId,
};
use fieldbook_tests::{ServerKind, TestServer};

const ROUND: Duration = Duration::from_secs(600);

fn store(dir: &Path, n: u8) -> Arc<DeviceStore> {
    let mut options = StoreOptions::new(
        DeviceId::from_random_bytes([n; 16]),
        UserId::new("rep.bulk").unwrap(),
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

fn frames(s: &SyncStats) -> u64 {
    s.frames_sent + s.frames_received
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_offline_records_push_and_pull_through_batches() {
    let n: usize = std::env::var("FIELDBOOK_BULK_RECORDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start(ServerKind::Fieldbook, &dir.path().join("server.sqlite3"))
        .await
        .unwrap();
    let url = format!("ws://{}/sync", server.addr());
    let writer = store(dir.path(), 1);
    let reader = store(dir.path(), 2);
    let writer_token = server
        .add_device("rep.bulk", &writer.device().to_string())
        .await
        .unwrap();
    let reader_token = server
        .add_device("rep.bulk", &reader.device().to_string())
        .await
        .unwrap();
    let push = DeviceSync::new(writer.clone(), url.clone(), writer_token);
    let pull = DeviceSync::new(reader.clone(), url, reader_token);

    // Captured offline, many records per transaction (as a long day without signal would).
    let ids: Vec<RecordId> = (0..n)
        .map(|i| writer.create(lead(i)).unwrap().meta.id)
        .collect();

    let started = Instant::now();
    let pushed = push.sync_once(ROUND).await.unwrap();
    eprintln!("push of {n}: {:?}, {pushed:?}", started.elapsed());
    assert_eq!(pushed.records_to_push, n as u64, "{pushed:?}");
    assert_eq!(pushed.records_pushed, n as u64, "{pushed:?}");
    assert_eq!(pushed.records_refused, 0);
    // Batches, not one exchange per record.
    assert!(frames(&pushed) < (n as u64) / 10, "{pushed:?}");
    for id in ids.iter().step_by(97) {
        assert!(writer.is_synced(*id, "server").unwrap());
        // The server's receipt stamp came back with the acknowledgement.
        let stamped = writer.get::<LeadReferral>(*id).unwrap();
        assert!(stamped.server_received_at.is_some());
    }

    let started = Instant::now();
    let pulled = pull.sync_once(ROUND).await.unwrap();
    eprintln!("pull of {n}: {:?}, {pulled:?}", started.elapsed());
    assert_eq!(pulled.records_to_pull, n as u64, "{pulled:?}");
    assert_eq!(pulled.records_pulled, n as u64);
    // Every record once, plus the index document.
    assert_eq!(pulled.records_changed, n as u64 + 1, "{pulled:?}");
    assert_eq!(reader.list(None).unwrap().len(), n);
    assert!(frames(&pulled) < (n as u64) / 10, "{pulled:?}");
    for id in ids.iter().step_by(89) {
        assert_eq!(
            reader.get::<LeadReferral>(*id).unwrap(),
            writer.get::<LeadReferral>(*id).unwrap()
        );
        assert!(reader.is_synced(*id, "server").unwrap());
    }

    // A second round of either phone has nothing to move.
    let again = pull.sync_once(ROUND).await.unwrap();
    assert_eq!(again.records_changed, 0, "{again:?}");
    assert_eq!(again.records_to_pull + again.records_to_push, 0);

    // 5 changes in the 10,000-record store: a handful of frames each way.
    for id in &ids[..5] {
        writer
            .update(*id, |l: &mut LeadReferral| {
                l.grade = LeadGrade::H;
                Ok(())
            })
            .unwrap();
    }
    let small_push = push.sync_once(ROUND).await.unwrap();
    let small_pull = pull.sync_once(ROUND).await.unwrap();
    eprintln!("5 changes: push {small_push:?}, pull {small_pull:?}");
    assert!(frames(&small_push) <= 20, "{small_push:?}");
    assert!(frames(&small_pull) <= 20, "{small_pull:?}");
    for id in &ids[..5] {
        assert_eq!(reader.get::<LeadReferral>(*id).unwrap().grade, LeadGrade::H);
        assert!(writer.is_synced(*id, "server").unwrap());
    }
    server.stop().await.unwrap();
}
