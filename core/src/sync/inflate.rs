//! The inflation guard: an Automerge sync message carries change chunks that may be DEFLATE
//! compressed (a whole compressed change, or compressed columns of a document chunk), and a
//! few kilobytes can inflate to gigabytes. Automerge inflates without a bound, so every
//! incoming message is measured here first, inflating with a cap, and refused if what it
//! would become is larger than the limit.
//!
//! Chunk layout (Automerge binary format): magic (4) · checksum (4) · type (1) · length
//! (LEB128) · data. Types: 0 document, 1 change, 2 compressed change, 3 bundle.

use std::io::Read;

use automerge::sync::Message;

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const DEFLATE_BIT: u64 = 0b0000_1000;

/// The bytes the message's changes take once inflated; `Err` (bilingual) if that exceeds
/// `limit` or the chunks are malformed.
pub fn inflated_size(message: &Message, limit: u64) -> Result<u64, String> {
    chunks_inflated_size(message.changes.iter(), limit)
}

/// [`inflated_size`] of saved chunks (a bulk message's document data).
pub fn chunks_inflated_size<'a>(
    chunks: impl IntoIterator<Item = &'a [u8]>,
    limit: u64,
) -> Result<u64, String> {
    let mut total = 0u64;
    for chunk in chunks {
        let mut rest = chunk;
        while !rest.is_empty() {
            let (size, used) = chunk_size(rest, limit.saturating_sub(total))?;
            total = total.saturating_add(size);
            if total > limit {
                return Err(too_big(limit));
            }
            rest = &rest[used..];
        }
    }
    Ok(total)
}

fn too_big(limit: u64) -> String {
    format!("解压后超过上限 {limit} 字节 / inflates beyond the limit of {limit} bytes")
}

fn malformed() -> String {
    "变更块格式错误 / malformed change chunk".into()
}

/// (inflated size, bytes consumed) of the chunk at the start of `bytes`.
fn chunk_size(bytes: &[u8], budget: u64) -> Result<(u64, usize), String> {
    if bytes.len() < 9 || bytes[..4] != MAGIC {
        return Err(malformed());
    }
    let chunk_type = bytes[8];
    let (len, n) = leb(&bytes[9..]).ok_or_else(malformed)?;
    let start = 9 + n;
    let end = usize::try_from(len)
        .ok()
        .and_then(|l| start.checked_add(l))
        .filter(|&e| e <= bytes.len())
        .ok_or_else(malformed)?;
    let data = &bytes[start..end];
    let size = match chunk_type {
        1 => data.len() as u64,
        2 => inflate_capped(data, budget)?,
        0 => document_size(data, budget)?,
        _ => return Err("不支持的变更块类型 / unsupported chunk type".into()),
    };
    Ok((size + start as u64, end))
}

/// Inflates raw DEFLATE data, stopping one byte past `budget`.
fn inflate_capped(data: &[u8], budget: u64) -> Result<u64, String> {
    let mut decoder = flate2::read::DeflateDecoder::new(data).take(budget.saturating_add(1));
    let mut sink = std::io::sink();
    let n = std::io::copy(&mut decoder, &mut sink).map_err(|_| malformed())?;
    if n > budget {
        return Err(too_big(budget));
    }
    Ok(n)
}

/// A document chunk: actors, heads, change and op column metadata, then the column data,
/// where columns flagged DEFLATE are inflated (capped) to measure them.
fn document_size(data: &[u8], budget: u64) -> Result<u64, String> {
    let mut r = Reader { bytes: data, at: 0 };
    for _ in 0..r.leb()? {
        let n = r.leb()?;
        r.skip(n)?;
    }
    let heads = r.leb()?;
    r.skip(heads.checked_mul(32).ok_or_else(malformed)?)?;
    let mut columns = Vec::new();
    for _ in 0..2 {
        for _ in 0..r.leb()? {
            let spec = r.leb()?;
            let len = r.leb()?;
            columns.push((spec & DEFLATE_BIT != 0, len));
        }
    }
    let mut total = r.at as u64;
    for (deflated, len) in columns {
        let start = r.at;
        r.skip(len)?;
        let column = &data[start..r.at];
        total += if deflated {
            inflate_capped(column, budget.saturating_sub(total))?
        } else {
            len
        };
        if total > budget {
            return Err(too_big(budget));
        }
    }
    Ok(total + (data.len() - r.at) as u64)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn leb(&mut self) -> Result<u64, String> {
        let (v, n) = leb(&self.bytes[self.at..]).ok_or_else(malformed)?;
        self.at += n;
        Ok(v)
    }

    fn skip(&mut self, n: u64) -> Result<(), String> {
        let end = usize::try_from(n)
            .ok()
            .and_then(|n| self.at.checked_add(n))
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(malformed)?;
        self.at = end;
        Ok(())
    }
}

/// An unsigned LEB128 value and the bytes it took.
fn leb(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f).checked_shl(7 * i as u32)?;
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use automerge::sync::{State, SyncDoc};
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};

    use super::*;

    fn first_message(doc: &mut AutoCommit) -> Message {
        let mut peer = AutoCommit::new();
        let (mut ours, mut theirs) = (State::new(), State::new());
        let hello = doc.sync().generate_sync_message(&mut ours).unwrap();
        peer.sync()
            .receive_sync_message(&mut theirs, hello)
            .unwrap();
        let ask = peer.sync().generate_sync_message(&mut theirs).unwrap();
        doc.sync().receive_sync_message(&mut ours, ask).unwrap();
        doc.sync().generate_sync_message(&mut ours).unwrap()
    }

    #[test]
    fn a_small_message_measures_close_to_its_size_and_a_bomb_is_refused() {
        let mut small = AutoCommit::new();
        small.put(ROOT, "name", "张伟").unwrap();
        let m = first_message(&mut small);
        let size = inflated_size(&m, 1 << 20).unwrap();
        assert!(size > 0 && size < 4096, "{size}");

        let mut bomb = AutoCommit::new();
        bomb.put(ROOT, "notes", "a".repeat(32 << 20)).unwrap();
        let m = first_message(&mut bomb);
        let wire: usize = m.changes.iter().map(<[u8]>::len).sum();
        assert!(
            wire < 1 << 20,
            "the bomb is small on the wire ({wire} bytes)"
        );
        assert!(inflated_size(&m, 16 << 20).is_err());
        assert!(inflated_size(&m, 64 << 20).is_ok());
    }
}
