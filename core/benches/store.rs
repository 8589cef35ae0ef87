//! Device-store benchmark (a program, not a test): prints figures, fails on nothing but errors.
//!
//! 1. Durable single-record writes per second through the store, next to raw `rusqlite`
//!    durable commits of the same bytes (same pragmas: WAL, synchronous=FULL). The ratio is the
//!    figure: what the document layer, the projection and the chunk log cost on top of the disk.
//! 2. Opening a store that holds 50,000 records and reading one of them, in a fresh child
//!    process: wall time and peak resident memory (VmHWM).
//!
//! Run: `cargo bench -p fieldbook-core --bench store`

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use fieldbook_core::model::{Contact, Customer, CustomerGrade};
use fieldbook_core::{
    DeviceId, DeviceStore, RecordDoc, RecordId, SeededEntropy, StoreOptions, UserId,
};

type BenchResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

const WRITES: usize = 400;
const RECORDS: usize = 50_000;

fn options(device: u8) -> BenchResult<StoreOptions> {
    let mut o = StoreOptions::new(
        DeviceId::from_random_bytes([device; 16]),
        UserId::new("rep.bench")?,
    );
    o.entropy = Arc::new(SeededEntropy::new(u64::from(device)));
    Ok(o)
}

fn customer(i: usize) -> Customer {
    Customer {
        name: format!("客户{i}"),
        company: format!("华东机械{}有限公司", i % 977),
        region: "上海".into(),
        industry: "制造业".into(),
        grade: [CustomerGrade::A, CustomerGrade::B, CustomerGrade::C][i % 3].clone(),
        contacts: vec![Contact {
            id: "c1".into(),
            name: format!("联系人{i}"),
            mobile: format!("138{:08}", i),
            ..Contact::default()
        }],
        ..Customer::default()
    }
}

fn main() -> BenchResult {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--open-one") {
        return open_one(Path::new(&args[pos + 1]), args[pos + 2].parse()?);
    }
    let dir = tempfile::tempdir()?;
    println!(
        "# fieldbook device store benchmark ({} writes; {} records)",
        WRITES, RECORDS
    );
    durable_writes(dir.path())?;
    compaction(dir.path())?;
    open_large(dir.path())?;
    Ok(())
}

fn durable_writes(dir: &Path) -> BenchResult {
    let store = DeviceStore::open(dir.join("writes.sqlite3"), options(1)?)?;
    let t = Instant::now();
    let mut ids = Vec::new();
    for i in 0..WRITES {
        ids.push(store.create(customer(i))?.meta.id);
    }
    let store_rate = WRITES as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    for (i, id) in ids.iter().enumerate() {
        store.update::<Customer>(*id, |c| {
            c.notes = format!("第{i}次回访");
            Ok(())
        })?;
    }
    let edit_rate = WRITES as f64 / t.elapsed().as_secs_f64();
    let chunk_bytes = store.stats()?.bytes as usize / WRITES.max(1) / 2;

    let raw = rusqlite::Connection::open(dir.join("raw.sqlite3"))?;
    raw.pragma_update(None, "journal_mode", "WAL")?;
    raw.pragma_update(None, "synchronous", "FULL")?;
    raw.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB NOT NULL)")?;
    let payload = vec![0x5au8; chunk_bytes.max(1)];
    let t = Instant::now();
    for _ in 0..WRITES {
        let tx = raw.unchecked_transaction()?;
        tx.execute("INSERT INTO t (data) VALUES (?1)", [&payload])?;
        tx.commit()?;
    }
    let raw_rate = WRITES as f64 / t.elapsed().as_secs_f64();
    println!("durable creates/s through the store : {store_rate:8.0}");
    println!("durable edits/s through the store   : {edit_rate:8.0}");
    println!("raw rusqlite durable commits/s      : {raw_rate:8.0}  ({chunk_bytes} B each)");
    println!(
        "ratio store creates / raw           : {:8.2}",
        store_rate / raw_rate
    );
    println!(
        "ratio store edits / raw             : {:8.2}",
        edit_rate / raw_rate
    );
    Ok(())
}

/// One record edited 500 times with compaction off, then compacted: what the fold costs and
/// what it saves on every later load.
fn compaction(dir: &Path) -> BenchResult {
    let mut o = options(4)?;
    o.compact_after_chunks = u32::MAX;
    let store = DeviceStore::open(dir.join("compaction.sqlite3"), o)?;
    let id = store.create(customer(0))?.meta.id;
    for i in 0..500 {
        store.update::<Customer>(id, |c| {
            c.notes = format!("第{i}次回访");
            Ok(())
        })?;
    }
    let time_load = |store: &DeviceStore| -> BenchResult<f64> {
        store.clear_cache();
        let t = Instant::now();
        store.get::<Customer>(id)?;
        Ok(t.elapsed().as_secs_f64() * 1e3)
    };
    let (bytes_before, load_before) = (store.stats()?.bytes, time_load(&store)?);
    let t = Instant::now();
    store.compact_pending(1)?;
    let compact_ms = t.elapsed().as_secs_f64() * 1e3;
    let (bytes_after, load_after) = (store.stats()?.bytes, time_load(&store)?);
    println!("compaction of 501 chunks            : {compact_ms:8.2} ms");
    println!("bytes before / after compaction     : {bytes_before:8} / {bytes_after}");
    println!("load before / after compaction      : {load_before:8.2} ms / {load_after:.2} ms");
    Ok(())
}

fn open_large(dir: &Path) -> BenchResult {
    let path = dir.join("large.sqlite3");
    let t = Instant::now();
    let picked = build_large(&path)?;
    println!(
        "built {RECORDS} records in {:.1} s (batched import, 1,000 per transaction)",
        t.elapsed().as_secs_f64()
    );
    let out = std::process::Command::new(std::env::current_exe()?)
        .args(["--open-one", &path.to_string_lossy(), &picked.to_string()])
        .output()?;
    print!("{}", String::from_utf8_lossy(&out.stdout));
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned().into());
    }
    Ok(())
}

/// Fills a store with RECORDS customers through `import_batch`, as a first sync would.
fn build_large(path: &Path) -> BenchResult<RecordId> {
    let store = DeviceStore::open(path, options(2)?)?;
    let author = DeviceId::from_random_bytes([3; 16]).actor(1);
    let mut picked = None;
    for batch in 0..RECORDS / 1000 {
        let mut docs = Vec::with_capacity(1000);
        for i in batch * 1000..(batch + 1) * 1000 {
            let mut c = customer(i);
            c.meta.id = store.new_record_id();
            let mut doc = RecordDoc::create(&c, author.clone())?;
            docs.push((c.meta.id, doc.save()));
            if i == RECORDS / 2 {
                picked = Some(c.meta.id);
            }
        }
        store.import_batch(&docs)?;
    }
    picked.ok_or_else(|| "no record picked".into())
}

fn open_one(path: &Path, id: RecordId) -> BenchResult {
    let t = Instant::now();
    let store = DeviceStore::open(path, options(2)?)?;
    let opened = t.elapsed();
    let c: Customer = store.get(id)?;
    let total = t.elapsed();
    assert_eq!(c.meta.id, id);
    let peak = peak_rss_kib()? as f64 / 1024.0;
    let held = store.stats()?.documents;
    println!(
        "open store holding {held} records  : {:8.2} ms",
        opened.as_secs_f64() * 1e3
    );
    println!(
        "open + read one record              : {:8.2} ms",
        total.as_secs_f64() * 1e3
    );
    println!("peak resident memory (VmHWM)        : {peak:8.1} MiB");
    Ok(())
}

fn peak_rss_kib() -> BenchResult<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .ok_or("no VmHWM")?;
    Ok(line.split_whitespace().nth(1).ok_or("bad VmHWM")?.parse()?)
}
