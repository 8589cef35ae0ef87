//! "Whoever registers first owns it" under offline registration and sync in random orders:
//! every device and the server end with exactly one owner, the same everywhere, and a clock
//! set back cannot win against an earlier honest registration (ADR 0003).
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use fieldbook_core::model::*;
use fieldbook_core::rules::{lead, ownership};
use fieldbook_core::*;
use proptest::prelude::*;

const KEY: &str = "tel:+8613800138000";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap()
}

/// One rep's registration: when it really happened, how wrong the phone's clock is, and how
/// long before it the phone last heard from the server.
#[derive(Debug, Clone)]
struct Rep {
    true_minute: i64,
    clock_offset_minutes: i64,
    last_sync_minutes_before: i64,
}

fn rep() -> impl Strategy<Value = Rep> {
    let offset = prop_oneof![3 => Just(0i64), 1 => -600i64..600];
    (0i64..240, offset, 0i64..300).prop_map(|(t, o, s)| Rep {
        true_minute: t,
        clock_offset_minutes: o,
        last_sync_minutes_before: s,
    })
}

struct Node {
    store: DeviceStore,
    clock: Arc<FixedClock>,
}

fn node(dir: &tempfile::TempDir, n: u8, user: &str) -> Node {
    let clock = Arc::new(FixedClock::new(t0()));
    let mut o = StoreOptions::new(
        DeviceId::from_random_bytes([n; 16]),
        UserId::new(user).unwrap(),
    );
    o.clock = clock.clone();
    o.entropy = Arc::new(SeededEntropy::new(u64::from(n) * 7919));
    let store = DeviceStore::open(dir.path().join(format!("{user}.sqlite3")), o).unwrap();
    Node { store, clock }
}

/// Sends a record's whole history from one store to another; whether anything was new.
fn copy(from: &DeviceStore, to: &DeviceStore, id: RecordId) -> bool {
    to.import_changes(id, &from.export_changes(id, &[]).unwrap())
        .unwrap()
}

fn minutes(m: i64) -> DateTime<Utc> {
    t0() + TimeDelta::minutes(m)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, rng_seed: proptest::test_runner::RngSeed::Fixed(20261204), ..ProptestConfig::default() })]

    #[test]
    fn exactly_one_owner_the_same_everywhere_whatever_the_sync_order(
        reps in prop::collection::vec(rep(), 2..4),
        gossip in prop::collection::vec((0usize..4, 0usize..4, 0usize..4), 0..6),
        push_order in Just((0..4).collect::<Vec<usize>>()).prop_shuffle(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let server = node(&dir, 200, "server");
        let devices: Vec<Node> = (0..reps.len()).map(|i| node(&dir, i as u8 + 1, &format!("rep.{i}"))).collect();
        // Offline: each rep registers the same prospect, written differently, on its own clock.
        let phones = ["13800138000", "138 0013 8000", "+86 138-0013-8000", "008613800138000"];
        let mut ids = Vec::new();
        for (i, (r, d)) in reps.iter().zip(&devices).enumerate() {
            d.store.note_server_time(minutes(r.true_minute - r.last_sync_minutes_before)).unwrap();
            d.clock.set(minutes(r.true_minute + r.clock_offset_minutes));
            let l = LeadReferral { prospect: Prospect { name: "张伟".into(), phone: phones[i].into(), ..Prospect::default() }, ..LeadReferral::default() };
            ids.push(lead::register(&d.store, l).unwrap().meta.id);
        }
        // Some device-to-device exchange first (a shared hotspot at the trade show).
        for (from, to, which) in gossip {
            let (from, to, which) = (from % devices.len(), to % devices.len(), which % ids.len());
            if from != to && devices[from].store.kind_of(ids[which]).is_ok() {
                copy(&devices[from].store, &devices[to].store, ids[which]);
            }
        }
        // Each device pushes to the server in a random order; the server stamps first receipt.
        let latest = reps.iter().map(|r| r.true_minute).max().unwrap_or(0);
        let order: Vec<usize> = push_order.into_iter().filter(|i| *i < devices.len()).collect();
        for (k, &i) in order.iter().enumerate() {
            server.clock.set(minutes(latest + 1 + k as i64));
            for &id in &ids {
                let known = devices[i].store.kind_of(id).is_ok();
                if known && server.store.kind_of(id).is_err() && copy(&devices[i].store, &server.store, id) {
                    let at = server.clock.now();
                    server.store.update::<LeadReferral>(id, |l| { l.server_received_at = Some(at); Ok(()) }).unwrap();
                }
            }
        }
        // Pull everything back, in reverse push order.
        for &i in order.iter().rev() {
            for &id in &ids {
                copy(&server.store, &devices[i].store, id);
            }
        }
        let reference = ownership::decide(&server.store.leads_with_key(KEY).unwrap()).unwrap();
        prop_assert_eq!(reference.others.len() + 1, ids.len(), "every registration is ranked once");
        for d in &devices {
            let mut leads = d.store.leads_with_key(KEY).unwrap();
            leads.reverse();
            let here = ownership::decide(&leads).unwrap();
            prop_assert_eq!(&here.winner, &reference.winner);
            prop_assert_eq!(here.others.len(), reference.others.len());
        }
        let winner = ids.iter().position(|id| *id == reference.winner.lead).unwrap();
        let honest: Vec<usize> = (0..reps.len()).filter(|&i| reps[i].clock_offset_minutes == 0).collect();
        if honest.len() == reps.len() {
            let earliest = reps.iter().map(|r| r.true_minute).min().unwrap();
            prop_assert_eq!(reps[winner].true_minute, earliest, "honest clocks: the first registration wins");
        }
        let set_back_beyond_floor = reps[winner].clock_offset_minutes + reps[winner].last_sync_minutes_before < -5;
        if set_back_beyond_floor {
            let receipt = reference.winner.effective_at.unwrap();
            for &h in &honest {
                prop_assert!(receipt <= minutes(reps[h].true_minute), "a clock set back won against an earlier honest rep");
            }
        }
    }
}
