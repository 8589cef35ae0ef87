//! The chunk log of each document: a snapshot plus incremental change chunks.
//!
//! A write appends one chunk (the changes since the document's previous heads) in the same
//! transaction as the projection update. Compaction writes one snapshot and deletes the chunks it
//! covers, in one transaction: if the process dies mid-way, SQLite rolls the transaction back and
//! the old chunks are still there, so compaction can never lose a change.

use automerge::ChangeHash;
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Result;
use crate::ids::RecordId;

/// Book-keeping of one stored document.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct DocRow {
    pub kind: String,
    pub chunk_count: i64,
    pub incremental_bytes: i64,
    pub snapshot_bytes: i64,
}

impl DocRow {
    /// Whether the chunk log should be folded into one snapshot: more than `max_chunks`
    /// chunks, or incremental chunks outweighing the snapshot.
    pub fn wants_compaction(&self, max_chunks: i64) -> bool {
        self.chunk_count > max_chunks
            || (self.chunk_count > 4 && self.incremental_bytes > self.snapshot_bytes.max(64 * 1024))
    }
}

pub(crate) fn doc_row(conn: &Connection, id: RecordId) -> Result<Option<DocRow>> {
    Ok(conn
        .query_row(
            "SELECT kind, chunk_count, incremental_bytes, snapshot_bytes
             FROM documents WHERE record_id = ?1",
            [id],
            |r| {
                Ok(DocRow {
                    kind: r.get(0)?,
                    chunk_count: r.get(1)?,
                    incremental_bytes: r.get(2)?,
                    snapshot_bytes: r.get(3)?,
                })
            },
        )
        .optional()?)
}

/// Every chunk of the document, concatenated in order; `None` if the record is not stored.
pub(crate) fn load_bytes(conn: &Connection, id: RecordId) -> Result<Option<Vec<u8>>> {
    let mut stmt =
        conn.prepare_cached("SELECT data FROM chunks WHERE record_id = ?1 ORDER BY seq")?;
    let mut rows = stmt.query([id])?;
    let mut bytes = Vec::new();
    let mut any = false;
    while let Some(row) = rows.next()? {
        any = true;
        bytes.extend_from_slice(row.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?);
    }
    Ok(any.then_some(bytes))
}

/// Appends one incremental chunk and updates the document's book-keeping.
pub(crate) fn append(
    conn: &Connection,
    id: RecordId,
    kind: &str,
    heads: &[ChangeHash],
    chunk: &[u8],
    now_ms: i64,
) -> Result<DocRow> {
    conn.prepare_cached(
        "INSERT INTO chunks (record_id, seq, snapshot, data)
         VALUES (?1, COALESCE((SELECT MAX(seq) + 1 FROM chunks WHERE record_id = ?1), 0), 0, ?2)",
    )?
    .execute(params![id, chunk])?;
    conn.prepare_cached(
        "INSERT INTO documents
            (record_id, kind, heads, chunk_count, incremental_bytes, snapshot_bytes, updated_at)
         VALUES (?1, ?2, ?3, 1, ?4, 0, ?5)
         ON CONFLICT (record_id) DO UPDATE SET
            kind = excluded.kind, heads = excluded.heads,
            chunk_count = chunk_count + 1,
            incremental_bytes = incremental_bytes + excluded.incremental_bytes,
            updated_at = excluded.updated_at",
    )?
    .execute(params![
        id,
        kind,
        encode_heads(heads),
        chunk.len() as i64,
        now_ms
    ])?;
    Ok(doc_row(conn, id)?.unwrap_or_default())
}

/// Replaces every chunk of the document with one snapshot.
pub(crate) fn replace_with_snapshot(
    conn: &Connection,
    id: RecordId,
    heads: &[ChangeHash],
    snapshot: &[u8],
) -> Result<()> {
    let next_seq: i64 = conn.query_row(
        "SELECT COALESCE(MAX(seq) + 1, 0) FROM chunks WHERE record_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    conn.execute("DELETE FROM chunks WHERE record_id = ?1", [id])?;
    conn.execute(
        "INSERT INTO chunks (record_id, seq, snapshot, data) VALUES (?1, ?2, 1, ?3)",
        params![id, next_seq, snapshot],
    )?;
    conn.execute(
        "UPDATE documents SET heads = ?2, chunk_count = 1, incremental_bytes = 0,
            snapshot_bytes = ?3 WHERE record_id = ?1",
        params![id, encode_heads(heads), snapshot.len() as i64],
    )?;
    Ok(())
}

/// Records whose chunk logs want compaction, most chunks first.
pub(crate) fn compaction_candidates(conn: &Connection, limit: usize) -> Result<Vec<RecordId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT record_id FROM documents
         WHERE chunk_count > 1 ORDER BY chunk_count DESC LIMIT ?1",
    )?;
    let ids = stmt
        .query_map([limit as i64], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<RecordId>>>()?;
    Ok(ids)
}

fn encode_heads(heads: &[ChangeHash]) -> Vec<u8> {
    heads.iter().flat_map(|h| h.0).collect()
}
