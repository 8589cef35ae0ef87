//! The storage suite on the Postgres backend: every suite function against a fresh database of
//! a throwaway cluster.
#![allow(clippy::unwrap_used)]

use fieldbook_sync_server::PgStore;
use fieldbook_sync_server::store::suite;
use fieldbook_testpg::PgCluster;

#[test]
fn postgres_store_passes_the_storage_suite() {
    let cluster = PgCluster::start().unwrap();
    suite::run_all(|| PgStore::open(&cluster.create_database().unwrap(), 4).unwrap());
}

#[test]
fn a_second_open_finds_the_schema_current_and_a_newer_one_is_refused() {
    let cluster = PgCluster::start().unwrap();
    let url = cluster.create_database().unwrap();
    drop(PgStore::open(&url, 2).unwrap());
    drop(PgStore::open(&url, 2).unwrap());
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .execute("INSERT INTO schema_migrations (version) VALUES (999)", &[])
        .unwrap();
    let err = PgStore::open(&url, 2).unwrap_err();
    assert!(err.to_string().contains("newer"), "{err}");
}
