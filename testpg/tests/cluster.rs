//! The throwaway cluster starts, serves a fresh database, and leaves nothing behind.
#![allow(clippy::unwrap_used)]

use fieldbook_testpg::PgCluster;

#[test]
fn a_cluster_serves_fresh_databases_and_is_gone_after_drop() {
    let cluster = PgCluster::start().unwrap();
    let dir = cluster.dir().to_path_buf();
    let a = cluster.create_database().unwrap();
    let b = cluster.create_database().unwrap();
    assert_ne!(a, b);
    let mut client = postgres::Client::connect(&a, postgres::NoTls).unwrap();
    let row = client.query_one("SELECT 1 + 1", &[]).unwrap();
    assert_eq!(row.get::<_, i32>(0), 2);
    drop(client);
    let port = cluster.port();
    drop(cluster);
    assert!(!dir.exists(), "directory removed");
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "stopped"
    );
}
