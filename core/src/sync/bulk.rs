//! The bulk path: Fieldbook's extension of protocol "1" for many records at once
//! (`docs/protocol.md`, "Bulk path"). The per-document path costs two frames and a durable
//! write per record on each side, so a phone with 10,000 records took minutes; here the index
//! tells what differs, then documents travel in batches of [`MAX_BATCH_DOCS`], each applied on
//! the device in one durable transaction and acknowledged per batch.
//!
//! Only a peer whose `peer` message announces `fieldbookBulk` is sent bulk messages; stock
//! automerge-repo clients never see one and keep the per-document path.
//!
//! Budget: a frame may hold at most 4,096 CBOR items (`wire_budget.rs`). A [`BulkDoc`] is an
//! array of 4 items (the array, the id, the heads, the data) and a refusal 3, so a batch of
//! [`MAX_BATCH_DOCS`] = 600 documents is at most 2,400 items plus a dozen for the message:
//! well inside the budget, which therefore stays as it is for every message type.

use automerge::ChangeHash;
use serde::{Deserialize, Serialize};

/// The bulk path's version (announced in `peer` / `join` metadata as `fieldbookBulk`).
pub const BULK_VERSION: u32 = 1;
/// Most documents in one bulk frame.
pub const MAX_BATCH_DOCS: usize = 600;
/// A batch frame is closed once its document data passes this many bytes (frames stay far
/// below the 8 MiB frame limit; a single larger document travels alone in its frame).
pub const MAX_BATCH_BYTES: usize = 1024 * 1024;
/// Bulk requests and pushes a device keeps in flight before waiting for answers.
pub const WINDOW: usize = 3;

/// One document in a bulk message: `[id, heads, data]` in CBOR (a 3-element array: heads as
/// concatenated 32-byte change hashes, data as an Automerge chunk, either may be empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkDoc(
    pub String,
    #[serde(with = "serde_bytes")] pub Vec<u8>,
    #[serde(with = "serde_bytes")] pub Vec<u8>,
);

impl BulkDoc {
    pub fn new(id: impl ToString, heads: &[ChangeHash], data: Vec<u8>) -> Self {
        BulkDoc(id.to_string(), heads_bytes(heads), data)
    }

    /// The heads, or `None` if the bytes are not a whole number of hashes.
    pub fn heads(&self) -> Option<Vec<ChangeHash>> {
        parse_heads(&self.1)
    }
}

/// Heads as concatenated 32-byte hashes.
pub fn heads_bytes(heads: &[ChangeHash]) -> Vec<u8> {
    heads.iter().flat_map(|h| h.0).collect()
}

/// The inverse of [`heads_bytes`]; `None` on a length that is not a multiple of 32.
pub fn parse_heads(bytes: &[u8]) -> Option<Vec<ChangeHash>> {
    if !bytes.len().is_multiple_of(32) {
        return None;
    }
    bytes
        .chunks(32)
        .map(|c| <[u8; 32]>::try_from(c).ok().map(ChangeHash))
        .collect()
}

/// The heads written in an index entry's key (hex hashes joined by commas); `None` if a piece
/// does not parse.
pub fn heads_of_key(key: &str) -> Option<Vec<ChangeHash>> {
    if key.is_empty() {
        return Some(Vec::new());
    }
    key.split(',')
        .map(|h| {
            let bytes = hex::decode(h).ok()?;
            <[u8; 32]>::try_from(bytes.as_slice()).ok().map(ChangeHash)
        })
        .collect()
}

/// Splits documents into batches of at most [`MAX_BATCH_DOCS`] and about [`MAX_BATCH_BYTES`]
/// of data each.
pub fn batches(docs: Vec<BulkDoc>) -> Vec<Vec<BulkDoc>> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    let mut bytes = 0usize;
    for doc in docs {
        if !current.is_empty()
            && (current.len() >= MAX_BATCH_DOCS || bytes + doc.2.len() > MAX_BATCH_BYTES)
        {
            out.push(std::mem::take(&mut current));
            bytes = 0;
        }
        bytes += doc.2.len();
        current.push(doc);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::wire::WireMessage;
    use super::*;

    #[test]
    fn a_full_batch_fits_the_cbor_budget() {
        // A batch's documents are split between accepted and refused.
        let half = MAX_BATCH_DOCS / 2;
        let docs: Vec<BulkDoc> = (0..half)
            .map(|i| BulkDoc::new(format!("id-{i}"), &[ChangeHash([7; 32])], vec![1; 400]))
            .collect();
        let refused = (half..MAX_BATCH_DOCS)
            .map(|i| (format!("id-{i}"), "reason".to_string()))
            .collect();
        let ack = WireMessage::FieldbookBulkAck {
            sender_id: "s".into(),
            target_id: "t".into(),
            batch: 1,
            docs,
            refused,
        };
        let decoded = WireMessage::decode(&ack.encode()).unwrap();
        assert_eq!(decoded, ack);
    }

    #[test]
    fn heads_round_trip_through_bytes_and_keys() {
        let heads = vec![ChangeHash([1; 32]), ChangeHash([2; 32])];
        assert_eq!(parse_heads(&heads_bytes(&heads)), Some(heads.clone()));
        let key = crate::sync::heads_key(&heads);
        assert_eq!(heads_of_key(&key), Some(heads));
        assert_eq!(parse_heads(&[0; 31]), None);
        assert_eq!(heads_of_key(""), Some(Vec::new()));
    }

    #[test]
    fn batches_close_on_count_and_on_bytes() {
        let small = |i| BulkDoc::new(i, &[], vec![0; 10]);
        let docs: Vec<BulkDoc> = (0..MAX_BATCH_DOCS + 1).map(small).collect();
        let split = batches(docs);
        assert_eq!(split.len(), 2);
        assert_eq!(split[0].len(), MAX_BATCH_DOCS);
        let big = |i| BulkDoc::new(i, &[], vec![0; MAX_BATCH_BYTES / 2 + 1]);
        assert_eq!(batches((0..3).map(big).collect()).len(), 3);
    }
}
