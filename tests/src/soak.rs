//! The soak (issue 19): many phones write and sync against one real server process for a long
//! time while the server is SIGKILLed and restarted at random; at the end every write a phone
//! had seen acknowledged must be in the server's database, and the server's memory is sampled
//! all along.
//!
//! Each phone is a real device store (its own SQLite file) and syncs in rounds through the
//! core's own client (`DeviceSync`), as an app does when it has signal: it pauses a random
//! while, writes (a new customer, or an edit of one of its own), and syncs. A write is
//! *acknowledged* once a round ended with the record settled (`DeviceStore::is_synced`: the
//! server holds the same heads). What a phone knows: the change hashes of each of its writes;
//! what is checked: every acknowledged hash is in the stored document on the server, read from
//! its SQLite file after the last kill. A round cut by a kill fails; the phone keeps its writes
//! and tries again in its next round.
//!
//! Everything random (pauses, edits, kill times) comes from one seed.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use automerge::ChangeHash;
use fieldbook_core::access::Role;
use fieldbook_core::model::Customer;
use fieldbook_core::{OsEntropy, RecordId, UserId};
use fieldbook_sync_server::{ServerStore, SqliteStore, accounts};
use parking_lot::{Mutex, RwLock};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::fleet::{Device, blocking, company};
use crate::node::resident_bytes;
use crate::server::{ServerKind, TestServer};

/// The peer name the core's client gives the server.
const PEER: &str = "server";

/// What to run.
#[derive(Debug, Clone)]
pub struct SoakConfig {
    pub phones: u32,
    /// How long the phones write (then they sync what is left and the server is checked).
    pub duration: Duration,
    /// The server is killed after a pause drawn from this range, again and again.
    pub kill_every: (Duration, Duration),
    /// At least this many kills happen, even if `duration` is over first.
    pub min_kills: u32,
    /// Each phone pauses a while drawn from this range before each write and round.
    pub pause: (Duration, Duration),
    /// Memory is sampled this often.
    pub sample_every: Duration,
    pub seed: u64,
}

impl SoakConfig {
    /// The soak: 200 phones, 10 minutes, a kill every 1–3 minutes.
    pub fn standard(seed: u64) -> Self {
        SoakConfig {
            phones: 200,
            duration: Duration::from_secs(600),
            kill_every: (Duration::from_secs(60), Duration::from_secs(180)),
            min_kills: 1,
            pause: (Duration::from_millis(1000), Duration::from_millis(6000)),
            sample_every: Duration::from_secs(10),
            seed,
        }
    }
}

/// What the soak saw.
#[derive(Debug, Clone, Default)]
pub struct SoakFigures {
    pub writes: u64,
    /// Writes a phone saw acknowledged (by the end, all of them should be).
    pub acknowledged: u64,
    /// Acknowledged writes missing on the server at the end: must be 0.
    pub lost: u64,
    /// Writes never acknowledged, even by the final rounds.
    pub never_acknowledged: u64,
    pub rounds: u64,
    /// Rounds that failed (cut by a kill, refused connection while the server restarts).
    pub failed_rounds: u64,
    pub kills: u32,
    /// (seconds since start, server RSS in bytes).
    pub rss: Vec<(f64, u64)>,
    pub seconds: f64,
}

/// One write of a phone: the record and the heads the write produced.
#[derive(Debug, Clone)]
struct Write {
    record: RecordId,
    heads: Vec<ChangeHash>,
}

#[derive(Debug, Default)]
struct Ledger {
    pending: Vec<Write>,
    acknowledged: Vec<Write>,
    writes: u64,
    rounds: u64,
    failed_rounds: u64,
}

/// Where the phones find the server (its port changes at every restart).
type Url = Arc<RwLock<String>>;

fn ws_url(server: &TestServer) -> String {
    format!("ws://{}/sync", server.addr())
}

/// Runs the soak in `dir` (the server's database and every phone's store go there).
pub async fn run(dir: &Path, config: &SoakConfig) -> Result<SoakFigures> {
    let db = dir.join("server.sqlite3");
    let phones = blocking(|| -> Result<Vec<Device>> {
        let store = SqliteStore::open(&db)?;
        company(&store)?;
        add_phones(&store, dir, config.phones)
    })?;
    let mut server = TestServer::start(ServerKind::Fieldbook, &db).await?;
    let url: Url = Arc::new(RwLock::new(ws_url(&server)));
    let started = Instant::now();
    let deadline = started + config.duration;

    let ledgers: Vec<Arc<Mutex<Ledger>>> = phones
        .iter()
        .map(|_| Arc::new(Mutex::new(Ledger::default())))
        .collect();
    let tasks: Vec<_> = phones
        .iter()
        .zip(&ledgers)
        .enumerate()
        .map(|(n, (phone, ledger))| {
            let rng = ChaCha8Rng::seed_from_u64(config.seed ^ ((n as u64 + 1) << 32));
            tokio::spawn(phone_loop(
                phone.clone(),
                url.clone(),
                ledger.clone(),
                rng,
                config.pause,
                deadline,
            ))
        })
        .collect();

    let mut figures = SoakFigures::default();
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let mut next_kill = started + draw(&mut rng, config.kill_every);
    let mut next_sample = started;
    while Instant::now() < deadline || figures.kills < config.min_kills {
        let now = Instant::now();
        if now >= next_sample {
            if let Some(pid) = server.pid() {
                let rss = resident_bytes(pid).unwrap_or(0);
                figures.rss.push((started.elapsed().as_secs_f64(), rss));
            }
            next_sample = now + config.sample_every;
        }
        if now >= next_kill {
            server = server.restart().await.context("restarting the server")?;
            *url.write() = ws_url(&server);
            figures.kills += 1;
            eprintln!(
                "[{:>6.1} s] server killed and restarted ({} so far)",
                started.elapsed().as_secs_f64(),
                figures.kills
            );
            next_kill = Instant::now() + draw(&mut rng, config.kill_every);
        }
        let wake = next_kill.min(next_sample).min(deadline.max(now));
        tokio::time::sleep(wake.saturating_duration_since(Instant::now()).max(ms(10))).await;
    }
    for task in tasks {
        task.await??;
    }
    // The phones stopped writing; each syncs until what it wrote is acknowledged.
    for (phone, ledger) in phones.iter().zip(&ledgers) {
        for _ in 0..5 {
            sync_round(phone, &url, ledger).await;
            if ledger.lock().pending.is_empty() {
                break;
            }
        }
    }
    figures.seconds = started.elapsed().as_secs_f64();
    if let Some(pid) = server.pid() {
        figures
            .rss
            .push((figures.seconds, resident_bytes(pid).unwrap_or(0)));
    }
    server.kill().await?;

    let stored = blocking(|| SqliteStore::open(&db))?;
    for ledger in &ledgers {
        let ledger = ledger.lock();
        figures.writes += ledger.writes;
        figures.rounds += ledger.rounds;
        figures.failed_rounds += ledger.failed_rounds;
        figures.acknowledged += ledger.acknowledged.len() as u64;
        figures.never_acknowledged += ledger.pending.len() as u64;
        figures.lost += count_lost(&stored, &ledger.acknowledged)?;
    }
    Ok(figures)
}

/// Phone `n` is user `soak.n`, a field rep of team `east`.
fn add_phones<S: ServerStore>(store: &S, dir: &Path, phones: u32) -> Result<Vec<Device>> {
    (0..phones)
        .map(|n| {
            let user = UserId::new(format!("soak.{n}"))?;
            let team = Some("east".to_owned());
            accounts::create_user(store, &OsEntropy, &user, "耐久", Role::FieldRep, team, None)?;
            Device::new(store, dir, 2000 + n, user.as_str())
        })
        .collect()
}

async fn phone_loop(
    phone: Device,
    url: Url,
    ledger: Arc<Mutex<Ledger>>,
    mut rng: ChaCha8Rng,
    pause: (Duration, Duration),
    deadline: Instant,
) -> Result<()> {
    let mut own: Vec<RecordId> = Vec::new();
    let mut n = 0u64;
    while Instant::now() < deadline {
        tokio::time::sleep(draw(&mut rng, pause)).await;
        n += 1;
        let edit = !own.is_empty() && rng.random_bool(0.7);
        let target = edit.then(|| own[rng.random_range(0..own.len())]);
        let store = phone.store.clone();
        let write = blocking(|| -> Result<Write> {
            let record = match target {
                Some(id) => {
                    store.update(id, |c: &mut Customer| {
                        c.needs = format!("第{n}次拜访的需求 / needs of visit {n}");
                        Ok(())
                    })?;
                    id
                }
                None => {
                    let mut c = Customer {
                        name: format!("耐久客户 {} {n}", phone.id),
                        ..Customer::default()
                    };
                    c.meta.owner = store.user().clone();
                    store.create(c)?.meta.id
                }
            };
            Ok(Write {
                record,
                heads: store.heads(record)?,
            })
        })?;
        if target.is_none() {
            own.push(write.record);
        }
        {
            let mut ledger = ledger.lock();
            ledger.writes += 1;
            ledger.pending.push(write);
        }
        sync_round(&phone, &url, &ledger).await;
    }
    Ok(())
}

/// One round; afterwards every pending write whose record has settled is acknowledged.
async fn sync_round(phone: &Device, url: &Url, ledger: &Mutex<Ledger>) {
    let url = url.read().clone();
    let client = fieldbook_core::sync::DeviceSync::new(phone.store.clone(), url, &phone.token);
    let ok = client.sync_once(Duration::from_secs(60)).await.is_ok();
    let mut ledger = ledger.lock();
    ledger.rounds += 1;
    if !ok {
        ledger.failed_rounds += 1;
    }
    let store = &phone.store;
    let (settled, waiting): (Vec<Write>, Vec<Write>) = std::mem::take(&mut ledger.pending)
        .into_iter()
        .partition(|w| blocking(|| store.is_synced(w.record, PEER)).unwrap_or(false));
    ledger.acknowledged.extend(settled);
    ledger.pending = waiting;
}

/// Acknowledged writes whose changes are not in the server's stored document.
fn count_lost(stored: &SqliteStore, writes: &[Write]) -> Result<u64> {
    let mut lost = 0;
    let mut docs = std::collections::HashMap::new();
    for write in writes {
        let doc = match docs.entry(write.record) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let doc = match stored.load_doc(write.record)? {
                    Some(bytes) => Some(automerge::AutoCommit::load(&bytes)?),
                    None => None,
                };
                e.insert(doc)
            }
        };
        let present = match doc {
            Some(doc) => write
                .heads
                .iter()
                .all(|h| doc.get_change_by_hash(h).is_some()),
            None => false,
        };
        if !present {
            eprintln!("LOST: record {} heads {:?}", write.record, write.heads);
            lost += 1;
        }
    }
    Ok(lost)
}

fn draw(rng: &mut ChaCha8Rng, (low, high): (Duration, Duration)) -> Duration {
    let (low, high) = (low.as_millis() as u64, high.as_millis() as u64);
    ms(rng.random_range(low..=high.max(low)))
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}
