//! The storage test suite: generic functions any [`ServerStore`] backend runs unchanged
//! (`tests/store_sqlite.rs` runs them on SQLite; a Postgres backend calls the same).
#![allow(clippy::unwrap_used)]

use fieldbook_core::{DeviceId, RecordId, UserId};

use super::{DeviceAuth, ServerStore};

/// Appended chunks come back concatenated in order; an unknown document is `None`.
pub fn suite_chunks_append_in_order<S: ServerStore>(make: impl Fn() -> S) {
    let store = make();
    let id = RecordId::from_random_bytes([1; 16]);
    assert_eq!(store.load_doc(id).unwrap(), None);
    store.append_chunk(id, "customer", "k1", b"ab").unwrap();
    store.append_chunk(id, "customer", "k2", b"cd").unwrap();
    assert_eq!(store.load_doc(id).unwrap(), Some(b"abcd".to_vec()));
    let docs = store.list_docs().unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!((docs[0].heads_key.as_str(), docs[0].bytes), ("k2", 4));
}

/// A token finds its device; an unknown token finds nothing; a token cannot be registered twice.
pub fn suite_devices_by_token<S: ServerStore>(make: impl Fn() -> S) {
    let store = make();
    let auth = DeviceAuth {
        device: DeviceId::from_random_bytes([2; 16]),
        user: UserId::new("rep.li").unwrap(),
    };
    store.add_device(&auth, &[9; 32]).unwrap();
    assert_eq!(
        store.device_for_token(&[9; 32]).unwrap(),
        Some(auth.clone())
    );
    assert_eq!(store.device_for_token(&[8; 32]).unwrap(), None);
    assert!(store.add_device(&auth, &[9; 32]).is_err());
}

/// Runs every suite function.
pub fn run_all<S: ServerStore>(make: impl Fn() -> S) {
    suite_chunks_append_in_order(&make);
    suite_devices_by_token(&make);
}
