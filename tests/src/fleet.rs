//! Several server nodes on one throwaway PostgreSQL database, and devices that sync with any of
//! them (issue 10). Nodes are server processes (`fieldbook-sync-server --db postgres://…`), so
//! a node can be SIGKILLed and restarted like a crashed machine; the test process reaches the
//! same database directly to set up people and devices.

use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use fieldbook_core::access::Role;
use fieldbook_core::sync::DeviceSync;
use fieldbook_core::{DeviceId, DeviceStore, OsEntropy, StoreOptions, UserId};
use fieldbook_sync_server::{PgStore, ServerStore, accounts, add_device};
use fieldbook_testpg::PgCluster;

use crate::server::{ServerKind, TestServer};

/// The people every fleet has: team `east` with a supervisor, a rep, and a shared field account
/// `team` whose records every device of the team reads.
pub fn company<S: ServerStore>(store: &S) -> Result<()> {
    store.put_team(&accounts::Team {
        id: "east".into(),
        name: "华东 / East".into(),
    })?;
    for (user, role) in [
        ("sup.zhao", Role::Supervisor),
        ("rep.li", Role::FieldRep),
        ("team", Role::FieldRep),
    ] {
        let user = UserId::new(user)?;
        let team = Some("east".to_owned());
        accounts::create_user(store, &OsEntropy, &user, "测试", role, team, None)?;
    }
    Ok(())
}

/// A throwaway database shared by server nodes.
#[derive(Debug)]
pub struct Fleet {
    pub url: String,
    pub store: Arc<PgStore>,
    dir: tempfile::TempDir,
    _cluster: PgCluster,
}

impl Fleet {
    /// A fresh cluster and database holding [`company`].
    pub fn new() -> Result<Self> {
        blocking(|| {
            let cluster = PgCluster::start()?;
            let url = cluster.create_database()?;
            let store = Arc::new(PgStore::open(&url, 4)?);
            company(store.as_ref())?;
            Ok(Fleet {
                url,
                store,
                dir: tempfile::tempdir()?,
                _cluster: cluster,
            })
        })
    }

    /// Works on the database directly (the sync client blocks: never on a bare tokio worker).
    pub fn db<T>(
        &self,
        work: impl FnOnce(&PgStore) -> fieldbook_sync_server::Result<T>,
    ) -> Result<T> {
        Ok(blocking(|| work(self.store.as_ref()))?)
    }

    /// Starts one more server node on the database.
    pub async fn node(&self) -> Result<TestServer> {
        TestServer::start(ServerKind::Fieldbook, Path::new(&self.url)).await
    }

    /// A device `n` of `user` with its own store file, registered in the database.
    pub fn device(&self, n: u32, user: &str) -> Result<Device> {
        blocking(|| Device::new(self.store.as_ref(), self.dir.path(), n, user))
    }
}

/// A device: its store and its token; it syncs with whichever node it is given.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: DeviceId,
    pub store: Arc<DeviceStore>,
    pub token: String,
}

impl Device {
    /// Opens device `n`'s store under `dir` and registers the device for `user` in `server`.
    pub fn new<S: ServerStore>(server: &S, dir: &Path, n: u32, user: &str) -> Result<Self> {
        let mut bytes = [0u8; 16];
        bytes[..4].copy_from_slice(&n.to_be_bytes());
        bytes[15] = 0xd1;
        let id = DeviceId::from_random_bytes(bytes);
        let user = UserId::new(user)?;
        let options = StoreOptions::new(id, user.clone());
        let store = Arc::new(DeviceStore::open(
            dir.join(format!("device-{n}.sqlite3")),
            options,
        )?);
        let token = add_device(server, id, user)?;
        Ok(Device { id, store, token })
    }

    /// A sync client towards `node`.
    pub fn sync_with(&self, node: &TestServer) -> DeviceSync {
        let url = format!("ws://{}/sync", node.addr());
        DeviceSync::new(self.store.clone(), url, self.token.clone())
    }
}

/// Runs blocking work from async code: inside a multi-threaded tokio runtime the worker first
/// hands its other tasks over (the sync Postgres client may not block a worker).
pub fn blocking<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(_) => tokio::task::block_in_place(work),
        Err(_) => work(),
    }
}

/// Checks `condition` until it holds, for at most `bound`; fails naming `what`.
pub async fn wait_until<F, Fut>(what: &str, bound: Duration, mut condition: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool>>,
{
    let deadline = Instant::now() + bound;
    loop {
        if condition().await? {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("not within {} s: {what}", bound.as_secs());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
