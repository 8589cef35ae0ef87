//! Property: any number of devices, any edits, any order of pairwise exchanges — after everyone
//! has exchanged with everyone, all devices hold the same record, the same conflicts, and every
//! follow-up any device logged.
#![allow(clippy::unwrap_used, clippy::unit_arg)]

use std::collections::BTreeSet;
use std::sync::Arc;

use fieldbook_core::model::{FollowUp, LeadGrade, LeadReferral};
use fieldbook_core::{DeviceId, DeviceStore, RecordId, SeededEntropy, StoreOptions, UserId};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    Grade(usize, u8),
    Event(usize, u8),
    FollowUp(usize),
    Exchange(usize, usize),
}

fn step(devices: usize) -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..devices, 0..5u8).prop_map(|(d, g)| Step::Grade(d, g)),
        (0..devices, 0..3u8).prop_map(|(d, e)| Step::Event(d, e)),
        (0..devices).prop_map(Step::FollowUp),
        (0..devices, 0..devices).prop_map(|(a, b)| Step::Exchange(a, b)),
    ]
}

fn exchange(a: &DeviceStore, b: &DeviceStore, id: RecordId) {
    let (ha, hb) = (a.heads(id).unwrap(), b.heads(id).unwrap());
    let to_b = a.export_changes(id, &hb).unwrap();
    let to_a = b.export_changes(id, &ha).unwrap();
    b.import_changes(id, &to_b).unwrap();
    a.import_changes(id, &to_a).unwrap();
}

fn apply(stores: &[DeviceStore], id: RecordId, s: &Step, logged: &mut BTreeSet<String>) {
    const GRADES: [LeadGrade; 5] = [
        LeadGrade::H,
        LeadGrade::A,
        LeadGrade::B,
        LeadGrade::C,
        LeadGrade::D,
    ];
    match *s {
        Step::Grade(d, g) => {
            stores[d]
                .update::<LeadReferral>(id, |l| Ok(l.grade = GRADES[g as usize].clone()))
                .unwrap();
        }
        Step::Event(d, e) => {
            stores[d]
                .update::<LeadReferral>(id, |l| Ok(l.prospect.needs = format!("需求{e}")))
                .unwrap();
        }
        Step::FollowUp(d) => {
            let entry = stores[d].new_record_id().to_string();
            logged.insert(entry.clone());
            stores[d]
                .update::<LeadReferral>(id, |l| {
                    Ok(l.follow_ups.push(FollowUp {
                        id: entry,
                        at: stores[d].clock().now(),
                        by: stores[d].user().clone(),
                        said: "电话沟通".into(),
                        next_step: "再联系".into(),
                        ..FollowUp::default()
                    }))
                })
                .unwrap();
        }
        Step::Exchange(a, b) if a != b => exchange(&stores[a], &stores[b], id),
        Step::Exchange(..) => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, rng_seed: proptest::test_runner::RngSeed::Fixed(20261204), ..ProptestConfig::default() })]
    #[test]
    fn devices_converge_whatever_the_order(
        (devices, steps) in (2..4usize).prop_flat_map(|d| (Just(d), prop::collection::vec(step(d), 0..40)))
    ) {
        let dir = tempfile::tempdir().unwrap();
        let stores: Vec<DeviceStore> = (0..devices)
            .map(|d| {
                let mut o = StoreOptions::new(DeviceId::from_random_bytes([d as u8 + 1; 16]), UserId::new("rep").unwrap());
                o.entropy = Arc::new(SeededEntropy::new(d as u64));
                DeviceStore::open(dir.path().join(format!("{d}.sqlite3")), o).unwrap()
            })
            .collect();
        let id = stores[0].create(LeadReferral::default()).unwrap().meta.id;
        for s in &stores[1..] {
            s.import_changes(id, &stores[0].export_changes(id, &[]).unwrap()).unwrap();
        }
        let mut logged = BTreeSet::new();
        for s in &steps {
            apply(&stores, id, s, &mut logged);
        }
        for a in 0..devices {
            for b in 0..devices {
                if a != b { exchange(&stores[a], &stores[b], id); }
            }
        }
        let first = stores[0].get_json(id).unwrap();
        let conflicts = stores[0].conflicts(id).unwrap();
        for s in &stores[1..] {
            prop_assert_eq!(&s.get_json(id).unwrap(), &first);
            prop_assert_eq!(&s.conflicts(id).unwrap(), &conflicts);
        }
        let kept: BTreeSet<String> = stores[0].get::<LeadReferral>(id).unwrap().follow_ups.into_iter().map(|f| f.id).collect();
        prop_assert_eq!(kept, logged, "no follow-up lost or duplicated");
    }
}
