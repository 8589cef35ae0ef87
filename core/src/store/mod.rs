//! The device store: every record's Automerge document in one SQLite file.
//!
//! - **Durable writes.** WAL with `synchronous=FULL`; each write is one `IMMEDIATE` transaction
//!   that appends the document's new changes as a chunk and rewrites its projection row. The
//!   call returns only after the commit, so a returned write survives a crash or power loss.
//! - **One writer, one reader.** Writes and document loads go through the writer connection
//!   (behind a lock, together with the document cache); list queries go through a reader
//!   connection and never wait for a write in progress.
//! - **Bounded memory.** Documents load on demand into an LRU cache (128 by default); opening a
//!   store reads no documents at all.
//! - **Compaction.** A document whose chunk log grows past 32 chunks (or whose changes outweigh
//!   its snapshot) is folded into one snapshot right after the write that crossed the line;
//!   [`DeviceStore::compact_pending`] does the same for a batch of documents when the app is idle.

mod bulk;
mod chunks;
mod index;
mod key;
mod quarantine;
pub mod schema;
mod scope;
mod sync_state;
mod typed;

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use automerge::ChangeHash;
use lru::LruCache;
use parking_lot::Mutex;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use serde_json::Value as Json;

pub use bulk::{Imported, PeerDoc};
pub use index::RecordSummary;
pub use key::StoreKey;
pub use quarantine::Quarantined;
pub use scope::Refused;
pub use typed::Filter;

use crate::access::Role;
use crate::calendar::WorkCalendar;
use crate::clock::{Clock, Entropy, OsEntropy, SystemClock};
use crate::doc::{FieldConflict, RecordDoc};
use crate::error::{Error, Result};
use crate::ids::{DeviceId, RecordId, UserId};
use crate::model::{Record, RecordKind, StringEnum};

/// How to open a [`DeviceStore`].
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// This device; the store refuses a file that belongs to another device.
    pub device: DeviceId,
    /// The person using the device; written as creator of new records.
    pub user: UserId,
    pub clock: Arc<dyn Clock>,
    pub entropy: Arc<dyn Entropy>,
    /// How many documents stay loaded in memory.
    pub cache_capacity: NonZeroUsize,
    /// Fold a document's chunk log into one snapshot when it has more chunks than this.
    pub compact_after_chunks: u32,
    /// The encryption key (from the platform keystore); `None` for a plain file.
    pub key: Option<StoreKey>,
    /// The signed-in user's role, for the lifecycle judge's role checks; `None` leaves them to
    /// the server (the state machine still runs on the device).
    pub role: Option<Role>,
    /// The company's calendar, for the judge's deadlines.
    pub calendar: WorkCalendar,
}

impl StoreOptions {
    pub fn new(device: DeviceId, user: UserId) -> Self {
        StoreOptions {
            device,
            user,
            clock: Arc::new(SystemClock),
            entropy: Arc::new(OsEntropy),
            cache_capacity: NonZeroUsize::new(128).unwrap_or(NonZeroUsize::MIN),
            compact_after_chunks: 32,
            key: None,
            role: None,
            calendar: WorkCalendar::china_default(),
        }
    }
}

/// Storage statistics, for diagnostics and benchmarks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreStats {
    pub documents: u64,
    pub chunks: u64,
    pub bytes: u64,
    pub cached_documents: usize,
}

struct Writer {
    conn: Connection,
    cache: LruCache<RecordId, RecordDoc>,
}

/// The durable store of one device.
pub struct DeviceStore {
    // Field order is drop order: the read-only connection closes first, so the writer's close
    // (the last one) checkpoints the WAL into the main file.
    reader: Mutex<Connection>,
    writer: Mutex<Writer>,
    options: StoreOptions,
    actor: automerge::ActorId,
    path: PathBuf,
}

impl std::fmt::Debug for DeviceStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceStore")
            .field("path", &self.path)
            .field("device", &self.options.device)
            .finish_non_exhaustive()
    }
}

/// A read-only connection: keyed, and nothing else set (WAL mode is a property of the file,
/// and changing it would be a write).
fn open_reader(path: &Path, key: Option<&StoreKey>) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    key::unlock(&conn, key)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}

/// The writer: keyed, WAL, and `synchronous=FULL` so that a commit is durable when it returns.
fn open_writer(path: &Path, key: Option<&StoreKey>) -> Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::default())?;
    key::unlock(&conn, key)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    // Deleted content is overwritten, so that erased personal data and withdrawn records do
    // not linger in free pages of the file.
    conn.pragma_update(None, "secure_delete", "ON")?;
    Ok(conn)
}

impl DeviceStore {
    /// Opens (creating if needed) the store at `path`, migrating its schema.
    pub fn open(path: impl AsRef<Path>, options: StoreOptions) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        if path.metadata().is_ok_and(|m| m.len() > 0) {
            // Prove the key on a read-only connection first: a read-write connection that
            // fails would still checkpoint the WAL when it closes, touching the file.
            drop(open_reader(&path, options.key.as_ref())?);
        }
        let mut conn = open_writer(&path, options.key.as_ref())?;
        schema::migrate(&mut conn)?;
        let session = claim_session(&mut conn, options.device)?;
        let reader = open_reader(&path, options.key.as_ref())?;
        tracing::debug!(session, "device store opened");
        let store = DeviceStore {
            writer: Mutex::new(Writer {
                conn,
                cache: LruCache::new(options.cache_capacity),
            }),
            reader: Mutex::new(reader),
            actor: options.device.actor(session),
            options,
            path,
        };
        store.reproject_if_asked()?;
        Ok(store)
    }

    pub fn device(&self) -> DeviceId {
        self.options.device
    }

    pub fn user(&self) -> &UserId {
        &self.options.user
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.options.clock
    }

    /// A fresh random id (from the injected entropy), for records and list entries.
    pub fn new_record_id(&self) -> RecordId {
        RecordId::from_random_bytes(self.options.entropy.bytes16())
    }

    /// Stores a new record. Fills in its id (unless set), creator, device and creation time,
    /// and makes the creator its owner unless one is given. Returns the record as stored.
    #[tracing::instrument(skip_all, fields(kind = %R::KIND))]
    pub fn create<R: Record>(&self, mut record: R) -> Result<R> {
        let meta = record.meta_mut();
        if meta.id == RecordId::default() {
            meta.id = self.new_record_id();
        }
        meta.created_at = self.options.clock.now();
        meta.created_by = self.options.user.clone();
        meta.created_on = self.options.device;
        if meta.owner == UserId::default() {
            meta.owner = self.options.user.clone();
        }
        let id = meta.id;
        let doc = RecordDoc::create(&record, self.actor.clone())?;
        quarantine::check_local_write(&doc)?;
        self.judge(None, &doc)?;
        let mut w = self.writer.lock();
        if chunks::doc_row(&w.conn, id)?.is_some() {
            return Err(Error::invalid(
                "id",
                format!("记录已存在 / record {id} already exists"),
            ));
        }
        self.persist(&mut w, doc, &[])?;
        Ok(record)
    }

    /// Reads one record.
    pub fn get<R: Record>(&self, id: RecordId) -> Result<R> {
        self.with_doc(id, |doc| doc.read())
    }

    /// The whole document as JSON, including fields this build does not know.
    pub fn get_json(&self, id: RecordId) -> Result<Json> {
        self.with_doc(id, |doc| Ok(doc.to_json()))
    }

    /// Edits one record: `edit` changes a copy, and only the fields it changed are written.
    /// An edit that breaks the record's schema (ADR 0011) or its lifecycle (`crate::lifecycle`)
    /// is refused and changes nothing.
    #[tracing::instrument(skip_all, fields(kind = %R::KIND))]
    pub fn update<R: Record>(
        &self,
        id: RecordId,
        edit: impl FnOnce(&mut R) -> Result<()>,
    ) -> Result<R> {
        self.with_doc_mut(id, |doc| {
            let before = doc.to_json();
            let edited = doc.update(edit)?;
            quarantine::check_local_write(doc)?;
            self.judge(Some(&before), doc)?;
            Ok(edited)
        })
    }

    /// The lifecycle judge on a local write, as the signed-in user, by the store's clock.
    fn judge(&self, before: Option<&Json>, doc: &RecordDoc) -> Result<()> {
        let ctx = crate::lifecycle::Context {
            user: &self.options.user,
            role: self.options.role,
            now: self.options.clock.now(),
            floor: None,
            dir: None,
            calendar: &self.options.calendar,
        };
        crate::lifecycle::judge(before, &doc.to_json(), &ctx).map_err(|v| v.error())
    }

    /// The fields of a record that hold concurrent values.
    pub fn conflicts(&self, id: RecordId) -> Result<Vec<FieldConflict>> {
        self.with_doc(id, |doc| Ok(doc.conflicts()))
    }

    /// Settles a conflict by writing `value` at `path` (a JSON pointer such as `/grade`).
    pub fn resolve_conflict(&self, id: RecordId, path: &str, value: &Json) -> Result<()> {
        self.with_doc_mut(id, |doc| {
            let before = doc.to_json();
            doc.resolve_conflict(path, value)?;
            quarantine::check_local_write(doc)?;
            self.judge(Some(&before), doc)
        })
    }

    /// The kind of a stored record.
    pub fn kind_of(&self, id: RecordId) -> Result<RecordKind> {
        let w = self.writer.lock();
        let row = chunks::doc_row(&w.conn, id)?.ok_or(Error::NotFound(id))?;
        Ok(RecordKind::parse_str(&row.kind))
    }

    /// Every record of `kind` (all kinds if `None`), from the query table.
    pub fn list(&self, kind: Option<RecordKind>) -> Result<Vec<RecordSummary>> {
        index::list(&self.reader.lock(), kind.as_ref())
    }

    /// Records that hold at least one same-field conflict.
    pub fn records_with_conflicts(&self) -> Result<Vec<RecordSummary>> {
        index::with_conflicts(&self.reader.lock())
    }

    /// The heads of a stored document.
    pub fn heads(&self, id: RecordId) -> Result<Vec<ChangeHash>> {
        self.with_doc_mut(id, |doc| Ok(doc.heads()))
    }

    /// Every change of a record made after `since` (empty = the whole history), as bytes that
    /// [`DeviceStore::import_changes`] on another device accepts.
    pub fn export_changes(&self, id: RecordId, since: &[ChangeHash]) -> Result<Vec<u8>> {
        self.with_doc_mut(id, |doc| Ok(doc.save_after(since)))
    }

    /// Merges changes made elsewhere into a record, creating it if this device has never seen
    /// it. Durable when it returns. Returns whether anything new was merged.
    pub fn import_changes(&self, id: RecordId, bytes: &[u8]) -> Result<bool> {
        let mut w = self.writer.lock();
        let mut doc = self.cached_or_empty(&mut w, id)?;
        let before = doc.heads();
        doc.apply_chunk(bytes)?;
        let changed = doc.heads() != before;
        if changed {
            self.persist(&mut w, doc, &before)?;
        } else {
            w.cache.put(id, doc);
        }
        Ok(changed)
    }

    /// Merges changes for many records in one transaction: the fast path for a fresh device's
    /// first download, where one durable commit per record would cost a disk flush each.
    /// All or nothing: if any chunk is damaged, nothing is stored. Returns how many records
    /// changed.
    pub fn import_batch(&self, batch: &[(RecordId, Vec<u8>)]) -> Result<usize> {
        let mut w = self.writer.lock();
        let now = self.options.clock.now().timestamp_millis();
        let mut merged: Vec<(RecordDoc, Vec<ChangeHash>)> = Vec::with_capacity(batch.len());
        let mut slot = std::collections::HashMap::with_capacity(batch.len());
        for (id, bytes) in batch {
            // A record named twice in one batch merges into the same copy.
            let pos = match slot.get(id) {
                Some(&pos) => pos,
                None => {
                    let mut doc = self.cached_or_empty(&mut w, *id)?;
                    let before = doc.heads();
                    merged.push((doc, before));
                    slot.insert(*id, merged.len() - 1);
                    merged.len() - 1
                }
            };
            merged[pos].0.apply_chunk(bytes)?;
        }
        merged.retain_mut(|(doc, before)| doc.heads() != *before);
        let tx = w
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (doc, before) in &mut merged {
            write_changes(&tx, doc, before, now)?;
        }
        tx.commit()?;
        let changed = merged.len();
        for (doc, _) in merged {
            w.cache.put(doc.id(), doc);
        }
        Ok(changed)
    }

    /// Runs `f` on a record's document (loading it if needed), read-only.
    pub fn with_doc<T>(&self, id: RecordId, f: impl FnOnce(&RecordDoc) -> Result<T>) -> Result<T> {
        let mut w = self.writer.lock();
        let doc = self.cached_or_loaded(&mut w, id)?;
        let out = f(&doc);
        w.cache.put(id, doc);
        out
    }

    /// Runs `f` on a record's document and durably stores whatever it changed. If `f` or the
    /// commit fails, the in-memory copy is dropped so memory never runs ahead of disk.
    pub fn with_doc_mut<T>(
        &self,
        id: RecordId,
        f: impl FnOnce(&mut RecordDoc) -> Result<T>,
    ) -> Result<T> {
        let mut w = self.writer.lock();
        let mut doc = self.cached_or_loaded(&mut w, id)?;
        let before = doc.heads();
        let out = f(&mut doc)?;
        if doc.heads() != before {
            self.persist(&mut w, doc, &before)?;
        } else {
            w.cache.put(id, doc);
        }
        Ok(out)
    }

    /// Takes the document out of the cache, or loads it from its chunks.
    fn cached_or_loaded(&self, w: &mut Writer, id: RecordId) -> Result<RecordDoc> {
        if let Some(doc) = w.cache.pop(&id) {
            return Ok(doc);
        }
        let bytes = chunks::load_bytes(&w.conn, id)?.ok_or(Error::NotFound(id))?;
        RecordDoc::load(id, &bytes, self.actor.clone())
    }

    /// The cached or stored document, or an empty one for a record this device has never seen
    /// (filled by the changes being imported).
    fn cached_or_empty(&self, w: &mut Writer, id: RecordId) -> Result<RecordDoc> {
        match self.cached_or_loaded(w, id) {
            Err(Error::NotFound(_)) => Ok(RecordDoc::empty(id, self.actor.clone())),
            other => other,
        }
    }

    /// Appends the changes since `before` and updates the projection, in one transaction; then
    /// caches the document and compacts it if its log has grown long.
    fn persist(&self, w: &mut Writer, mut doc: RecordDoc, before: &[ChangeHash]) -> Result<()> {
        let now = self.options.clock.now().timestamp_millis();
        let tx = w
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let row = write_changes(&tx, &mut doc, before, now)?;
        tx.commit()?;
        if row.wants_compaction(i64::from(self.options.compact_after_chunks)) {
            // The write is already durable; a failed compaction only leaves the log long.
            if let Err(e) = compact_doc(&w.conn, &mut doc) {
                tracing::warn!(error = %e, "compaction failed; will retry later");
            }
        }
        w.cache.put(doc.id(), doc);
        Ok(())
    }

    /// Compacts up to `limit` documents with more than one chunk (for idle time). Returns how
    /// many were compacted.
    pub fn compact_pending(&self, limit: usize) -> Result<usize> {
        let mut w = self.writer.lock();
        let ids = chunks::compaction_candidates(&w.conn, limit)?;
        for &id in &ids {
            let mut doc = self.cached_or_loaded(&mut w, id)?;
            let result = compact_doc(&w.conn, &mut doc);
            w.cache.put(id, doc);
            result?;
        }
        Ok(ids.len())
    }

    /// Counts of what is stored.
    pub fn stats(&self) -> Result<StoreStats> {
        let conn = self.reader.lock();
        let (documents, chunks, bytes) = conn.query_row(
            "SELECT (SELECT COUNT(*) FROM documents), COUNT(*), COALESCE(SUM(LENGTH(data)), 0)
             FROM chunks",
            [],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            },
        )?;
        Ok(StoreStats {
            documents: documents as u64,
            chunks: chunks as u64,
            bytes: bytes as u64,
            cached_documents: self.writer.lock().cache.len(),
        })
    }

    /// Drops every loaded document from memory (tests and memory-pressure callbacks).
    pub fn clear_cache(&self) {
        self.writer.lock().cache.clear();
    }
}

/// Inside the caller's transaction: appends the document's changes since `before` as one chunk
/// and rewrites its projection row, so the two always agree.
fn write_changes(
    conn: &Connection,
    doc: &mut RecordDoc,
    before: &[ChangeHash],
    now_ms: i64,
) -> Result<chunks::DocRow> {
    let chunk = doc.save_after(before);
    write_chunk(conn, doc, &chunk, now_ms)
}

/// [`write_changes`] with the chunk at hand (the changes of `doc` after its stored state).
fn write_chunk(
    conn: &Connection,
    doc: &mut RecordDoc,
    chunk: &[u8],
    now_ms: i64,
) -> Result<chunks::DocRow> {
    let heads = doc.heads();
    let kind = doc.kind().map(|k| k.to_string()).unwrap_or_default();
    let row = chunks::append(conn, doc.id(), &kind, &heads, chunk, now_ms)?;
    index::project(conn, doc, now_ms)?;
    Ok(row)
}

/// Replaces the document's chunks with one snapshot, in one transaction.
fn compact_doc(conn: &Connection, doc: &mut RecordDoc) -> Result<()> {
    let snapshot = doc.save();
    let heads = doc.heads();
    let tx = conn.unchecked_transaction()?;
    chunks::replace_with_snapshot(&tx, doc.id(), &heads, &snapshot)?;
    tx.commit()?;
    Ok(())
}

/// Binds the file to `device` and returns the number of this session (which makes this
/// session's Automerge actor id unique even if the app opens the store twice).
fn claim_session(conn: &mut Connection, device: DeviceId) -> Result<u32> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let stored: Option<String> = tx
        .query_row(
            "SELECT value FROM store_meta WHERE key = 'device'",
            [],
            |r| r.get(0),
        )
        .ok();
    match stored {
        Some(d) if d != device.to_string() => {
            return Err(Error::invalid(
                "device",
                format!("此数据库属于另一台设备 / this database belongs to device {d}"),
            ));
        }
        Some(_) => {}
        None => {
            tx.execute(
                "INSERT INTO store_meta (key, value) VALUES ('device', ?1)",
                [device.to_string()],
            )?;
        }
    }
    tx.execute(
        "INSERT INTO store_meta (key, value) VALUES ('session', '1')
         ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
        [],
    )?;
    let session: String = tx.query_row(
        "SELECT value FROM store_meta WHERE key = 'session'",
        [],
        |r| r.get(0),
    )?;
    tx.commit()?;
    session
        .parse()
        .map_err(|_| Error::invalid("session", "会话计数损坏 / session counter is damaged"))
}
