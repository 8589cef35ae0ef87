//! The storage suite on the SQLite backend.
#![allow(clippy::unwrap_used)]

use fieldbook_sync_server::SqliteStore;
use fieldbook_sync_server::store::suite;

#[test]
fn sqlite_store_passes_the_storage_suite() {
    let dir = tempfile::tempdir().unwrap();
    let counter = std::cell::Cell::new(0);
    suite::run_all(|| {
        counter.set(counter.get() + 1);
        SqliteStore::open(dir.path().join(format!("s{}.sqlite3", counter.get()))).unwrap()
    });
}
