//! A budget for one frame's CBOR before it is decoded (issue 15, finding 8). Decoding into the
//! typed [`super::WireMessage`] goes through serde's buffered content for the `type`-tagged
//! enum, one generic node per CBOR item: an 8 MiB frame of CBOR zeros in an array was 8 million
//! nodes, ~17× the frame in memory. Every real message is a map of at most ten keys with a few
//! short arrays (fewer than 100 items; the sync data is one byte string), so the frame's item
//! headers are first walked with `ciborium-ll`, which allocates nothing, and a frame of more
//! than [`MAX_FRAME_ITEMS`] items or nested deeper than [`MAX_DEPTH`] is refused. What is then
//! decoded costs a small multiple of the frame: a byte string is copied once or twice.

use ciborium_ll::{Decoder, Header};

use crate::error::{Error, Result};

/// Most CBOR items (headers) a frame may hold.
pub const MAX_FRAME_ITEMS: usize = 4096;
/// Deepest nesting of arrays, maps and segmented strings in a frame.
pub const MAX_DEPTH: usize = 16;

fn too_many() -> Error {
    Error::Protocol(format!(
        "消息的 CBOR 项超过 {MAX_FRAME_ITEMS} 个 / the message has more than {MAX_FRAME_ITEMS} \
         CBOR items"
    ))
}

fn too_deep() -> Error {
    Error::Protocol(format!(
        "消息的 CBOR 嵌套超过 {MAX_DEPTH} 层 / the message nests deeper than {MAX_DEPTH} levels"
    ))
}

fn malformed() -> Error {
    Error::Protocol("CBOR 格式错误 / malformed CBOR".into())
}

/// Walks the headers of the first CBOR item of `bytes`; an error if it is malformed, has too
/// many items or nests too deep. Allocates only the stack of open containers.
pub fn check_budget(bytes: &[u8]) -> Result<()> {
    let mut pos = 0usize;
    // Items still expected by each open container (`None`: until a break).
    let mut open: Vec<Option<u64>> = vec![Some(1)];
    let mut items = 0usize;
    while let Some(top) = open.last_mut() {
        if *top == Some(0) {
            open.pop();
            continue;
        }
        items += 1;
        if items > MAX_FRAME_ITEMS {
            return Err(too_many());
        }
        let rest = bytes.get(pos..).ok_or_else(malformed)?;
        let mut decoder = Decoder::from(rest);
        let header = decoder.pull().map_err(|_| malformed())?;
        pos += decoder.offset();
        if matches!(header, Header::Break) {
            if top.is_some() {
                return Err(malformed());
            }
            open.pop();
            continue;
        }
        if let (Some(left), false) = (top.as_mut(), matches!(header, Header::Tag(_))) {
            *left -= 1;
        }
        if let Some(child) = container(&header)? {
            open.push(child);
        }
        pos = skip_payload(&header, pos, bytes.len())?;
        if open.len() > MAX_DEPTH {
            return Err(too_deep());
        }
    }
    Ok(())
}

/// The items a header opens: `Some(Some(n))` a container of n items, `Some(None)` one that
/// ends with a break, `None` a leaf.
fn container(header: &Header) -> Result<Option<Option<u64>>> {
    Ok(match *header {
        Header::Array(len) => Some(len.map(|n| n as u64)),
        Header::Map(len) => match len {
            Some(n) => Some(Some((n as u64).checked_mul(2).ok_or_else(too_many)?)),
            None => Some(None),
        },
        Header::Bytes(None) | Header::Text(None) => Some(None),
        _ => None,
    })
}

/// The position after a definite string's bytes (they must be in the frame).
fn skip_payload(header: &Header, pos: usize, end: usize) -> Result<usize> {
    match *header {
        Header::Bytes(Some(len)) | Header::Text(Some(len)) => pos
            .checked_add(len)
            .filter(|p| *p <= end)
            .ok_or_else(malformed),
        _ => Ok(pos),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cbor(v: &ciborium::Value) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(v, &mut out).unwrap();
        out
    }

    /// An array header of `n` items followed by `n` CBOR zeros (one byte each).
    fn zeros(n: u32) -> Vec<u8> {
        let mut out = vec![0x9a];
        out.extend_from_slice(&n.to_be_bytes());
        out.resize(out.len() + n as usize, 0);
        out
    }

    #[test]
    fn eight_mib_of_zeros_is_refused_by_the_item_count() {
        let frame = zeros(8 * 1024 * 1024);
        let err = check_budget(&frame).unwrap_err().to_string();
        assert!(
            err.contains("CBOR 项超过 4096 个 / the message has more than 4096"),
            "{err}"
        );
    }

    #[test]
    fn deep_nesting_is_refused() {
        let frame = vec![0x81; 64]; // 64 nested one-item arrays
        let err = check_budget(&frame).unwrap_err().to_string();
        assert!(err.contains("嵌套超过 16 层"), "{err}");
    }

    #[test]
    fn a_string_longer_than_the_frame_is_malformed() {
        let frame = [0x5a, 0x7f, 0xff, 0xff, 0xff, 1, 2];
        assert!(
            check_budget(&frame)
                .unwrap_err()
                .to_string()
                .contains("CBOR 格式错误")
        );
    }

    #[test]
    fn indefinite_containers_and_tags_are_counted_and_closed() {
        // [_ 1, {_ "a": 24(h'00')}, (_ h'01' h'02') ]
        let frame = [
            0x9f, 0x01, 0xbf, 0x61, b'a', 0xd8, 0x18, 0x41, 0x00, 0xff, 0x5f, 0x41, 0x01, 0x41,
            0x02, 0xff, 0xff,
        ];
        check_budget(&frame).unwrap();
        assert!(check_budget(&frame[..frame.len() - 1]).is_err(), "unclosed");
    }

    #[test]
    fn a_big_byte_string_is_one_item() {
        let v = ciborium::Value::Bytes(vec![0; 1 << 20]);
        check_budget(&cbor(&v)).unwrap();
    }
}
