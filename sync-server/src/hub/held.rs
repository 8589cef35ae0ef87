//! A document as the hub holds it in memory.

use fieldbook_core::{RecordDoc, RecordId};

/// A loaded document, the bytes and chunks its chunk log takes (as far as this node knows:
/// compaction counts on `chunks`), and its stored version: every chunk stored up to `version`
/// is in `doc` (an index document may also hold later chunks of its own, written without the
/// version check).
#[derive(Debug, Clone)]
pub(super) struct Held {
    pub(super) doc: RecordDoc,
    pub(super) bytes: u64,
    pub(super) chunks: u64,
    pub(super) version: u64,
}

impl Held {
    pub(super) fn empty(id: RecordId, actor: &automerge::ActorId) -> Self {
        Held {
            doc: RecordDoc::empty(id, actor.clone()),
            bytes: 0,
            chunks: 0,
            version: 0,
        }
    }
}
