//! A child process for the crash test: writes records to a device store as fast as it can and
//! prints `ack ...` for each write *after* the store call returned. The parent SIGKILLs it at
//! random moments and checks that every acknowledged write survived.
//!
//! Usage: `crash_writer DB START SEED` — creates customers numbered from START; every third step
//! also edits an earlier record's notes to `v<n>` (monotonic), so edits and compactions (the
//! store compacts every 4 chunks here) are interrupted too.

use std::io::Write;
use std::sync::Arc;

use anyhow::Context;
use fieldbook_core::model::Customer;
use fieldbook_core::{DeviceId, DeviceStore, RecordId, SeededEntropy, StoreOptions, UserId};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let db = args.next().context("usage: crash_writer DB START SEED")?;
    let start: u64 = args.next().context("START")?.parse()?;
    let seed: u64 = args.next().context("SEED")?.parse()?;
    let mut options =
        StoreOptions::new(DeviceId::from_random_bytes([7; 16]), UserId::new("rep.li")?);
    options.entropy = Arc::new(SeededEntropy::new(seed));
    options.compact_after_chunks = 4;
    let store = DeviceStore::open(&db, options)?;
    let mut out = std::io::stdout().lock();
    let mut created: Vec<RecordId> = Vec::new();
    for n in start.. {
        let c = store.create(Customer {
            name: format!("客户{n}"),
            ..Customer::default()
        })?;
        writeln!(out, "ack create {} {n}", c.meta.id)?;
        created.push(c.meta.id);
        if n % 3 == 0 {
            let target = created[(n as usize / 3) % created.len()];
            store.update::<Customer>(target, |c| {
                c.notes = format!("v{n}");
                Ok(())
            })?;
            writeln!(out, "ack update {target} {n}")?;
        }
        out.flush()?;
    }
    Ok(())
}
