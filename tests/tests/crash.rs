//! Kill -9 a writer at many points; every write it acknowledged must be there afterwards and the
//! database must open cleanly.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use fieldbook_core::model::Customer;
use fieldbook_core::{DeviceId, DeviceStore, RecordId, StoreOptions, UserId};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[derive(Default)]
struct Acked {
    created: HashMap<RecordId, u64>,
    /// The latest acknowledged edit number per record.
    edited: HashMap<RecordId, u64>,
}

impl Acked {
    fn record(&mut self, line: &str) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        if let ["ack", what, id, n] = parts[..] {
            let (id, n): (RecordId, u64) = (id.parse().unwrap(), n.parse().unwrap());
            match what {
                "create" => self.created.insert(id, n),
                _ => self.edited.insert(id, n),
            };
        }
    }
}

/// Runs the writer until it has acknowledged `acks` more writes, then SIGKILLs it.
fn run_and_kill(db: &std::path::Path, start: u64, run: u64, acks: usize, acked: &mut Acked) -> u64 {
    let mut child = Command::new(env!("CARGO_BIN_EXE_crash_writer"))
        .arg(db)
        .arg(start.to_string())
        .arg(run.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = start;
    for _ in 0..acks {
        let Some(Ok(line)) = lines.next() else { break };
        acked.record(&line);
        if line.starts_with("ack create") {
            next += 1;
        }
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no flush, mid-transaction
    // Lines the child printed before dying were acknowledged too.
    for line in lines.map_while(Result::ok) {
        acked.record(&line);
        if line.starts_with("ack create") {
            next += 1;
        }
    }
    child.wait().unwrap();
    next
}

fn check(db: &std::path::Path, acked: &Acked) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    drop(conn);
    let options = StoreOptions::new(
        DeviceId::from_random_bytes([7; 16]),
        UserId::new("rep.li").unwrap(),
    );
    let store = DeviceStore::open(db, options).unwrap();
    for (id, n) in &acked.created {
        let c: Customer = store
            .get(*id)
            .unwrap_or_else(|e| panic!("acked record {n} lost: {e}"));
        assert_eq!(c.name, format!("客户{n}"));
    }
    for (id, n) in &acked.edited {
        let c: Customer = store.get(*id).unwrap();
        let shown: u64 = c.notes.trim_start_matches('v').parse().unwrap();
        assert!(shown >= *n, "acked edit v{n} lost: shows {}", c.notes);
    }
    assert!(store.list(None).unwrap().len() >= acked.created.len());
}

#[test]
fn every_acknowledged_write_survives_sigkill_at_many_points() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("device.sqlite3");
    let mut rng = ChaCha8Rng::seed_from_u64(0xF1E1D);
    let mut acked = Acked::default();
    let mut next = 0;
    for run in 0..25 {
        let acks = rng.random_range(0..60);
        next = run_and_kill(&db, next, run, acks, &mut acked);
        check(&db, &acked);
    }
    assert!(
        acked.created.len() > 100,
        "the test exercised too few writes"
    );
    assert!(!acked.edited.is_empty());
}
