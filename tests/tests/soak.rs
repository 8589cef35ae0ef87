//! The soak program's loop, small: a few phones, the server SIGKILLed at least twice while they
//! write and sync. Every acknowledged write is in the server's database afterwards, and every
//! write ends acknowledged (the phones keep what a cut round did not deliver).

use std::time::Duration;

use fieldbook_tests::soak::{SoakConfig, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kills_during_writes_lose_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    let config = SoakConfig {
        phones: 6,
        duration: Duration::from_secs(12),
        kill_every: (Duration::from_millis(1500), Duration::from_millis(4000)),
        min_kills: 2,
        pause: (Duration::from_millis(50), Duration::from_millis(400)),
        sample_every: Duration::from_secs(1),
        seed: 20261205,
    };
    let f = run(dir.path(), &config).await.unwrap();
    assert!(f.kills >= 2, "{f:?}");
    assert!(f.writes > 0 && f.acknowledged > 0, "{f:?}");
    assert_eq!(f.lost, 0, "acknowledged writes lost: {f:?}");
    assert_eq!(f.never_acknowledged, 0, "writes never acknowledged: {f:?}");
    assert_eq!(f.acknowledged, f.writes, "{f:?}");
    assert!(f.failed_rounds < f.rounds, "{f:?}");
}
