//! View documents (issue 17, seed 001 §3.6): an A-grade customer's data is for the marketing
//! manager and above, yet the rep who owns it and her supervisor must still see that it exists
//! (its name, grade, rep) on their phones. They hold a *view*: a server-written customer
//! document with the sensitive fields withheld, at an id derived from the real record's id in
//! the server's reserved space (UUID version 8, like the index documents, ADR 0002), so no
//! device can create or change one. A view names the real record in `meta.view_of`; its own
//! `meta.id` is its document id. ADR 0013.

use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use crate::ids::RecordId;

/// The JSON pointer of the real record's id in a view document.
pub const VIEW_OF_POINTER: &str = "/meta/view_of";

/// The id of the view document of the record `real`: SHA-256 over a fixed prefix and the
/// record id's bytes, marked as the server's reserved space. The server and the devices derive
/// it independently (the app finds the view by the id a visit plan names).
pub fn view_id(real: RecordId) -> RecordId {
    let mut hasher = Sha256::new();
    hasher.update(b"fieldbook-view/v1:");
    hasher.update(real.as_bytes());
    let digest = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    RecordId::reserved_from_bytes(bytes)
}

/// The real record a view document stands for: `meta.view_of`, if the document's own
/// `meta.id` is that record's view id (anything else is not a view).
pub fn view_of(record: &Json) -> Option<RecordId> {
    let real: RecordId = record.pointer(VIEW_OF_POINTER)?.as_str()?.parse().ok()?;
    let own: RecordId = record.pointer("/meta/id")?.as_str()?.parse().ok()?;
    (own == view_id(real)).then_some(real)
}

/// Whether the record is a view document.
pub fn is_view(record: &Json) -> bool {
    view_of(record).is_some()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn view_ids_are_reserved_stable_and_recognised() {
        let real = RecordId::from_random_bytes([7; 16]);
        let view = view_id(real);
        assert!(view.is_reserved() && view == view_id(real));
        assert_ne!(view, view_id(RecordId::from_random_bytes([8; 16])));
        let json =
            serde_json::json!({"meta": {"id": view.to_string(), "view_of": real.to_string()}});
        assert_eq!(view_of(&json), Some(real));
        let forged =
            serde_json::json!({"meta": {"id": real.to_string(), "view_of": real.to_string()}});
        assert!(
            !is_view(&forged),
            "a view's id must be the view id of what it names"
        );
    }
}
