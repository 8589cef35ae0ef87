//! The devices of the day and the sync server they share: real SQLite files, the real server
//! on 127.0.0.1 (in this process), one clock the script moves through the day.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use fieldbook_core::access::Role;
use fieldbook_core::sync::DeviceSync;
use fieldbook_core::{
    Clock, DeviceId, DeviceStore, FixedClock, RecordDoc, RecordId, SeededEntropy, StoreOptions,
    UserId, WorkCalendar,
};
use fieldbook_sync_server::{RunningServer, ServerConfig, ServerStore, SqliteStore, accounts};
use fieldbook_tests::{Cut, Direction, FaultPlan, FaultProxy};
use serde_json::Value as Json;

use crate::people::name_of;
use crate::report::When;

/// One phone.
#[derive(Debug)]
pub struct Device {
    pub user: UserId,
    pub store: Arc<DeviceStore>,
    sync: DeviceSync,
    token: String,
}

/// Everything the day runs on.
#[derive(Debug)]
pub struct Fleet {
    pub server_store: Arc<SqliteStore>,
    server: RunningServer,
    /// A TCP proxy in front of the server that cuts a connection at a chosen byte.
    proxy: FaultProxy,
    pub devices: Vec<Device>,
    pub clock: Arc<FixedClock>,
    pub cal: WorkCalendar,
    day: std::cell::Cell<NaiveDate>,
    /// Changes the server's judge refused, over every sync of the day (the script takes only
    /// legal steps, so the night checks this stays 0).
    refused: std::cell::Cell<u64>,
}

/// One team: the first person is its supervisor, `cs.*` the customer-service manager (at the
/// office, no team), everyone else a field rep.
fn enrol_people(store: &SqliteStore, people: &[&str], seed: u64) -> anyhow::Result<()> {
    let team = "east";
    store.put_team(&accounts::Team {
        id: team.into(),
        name: "华东一组 / East team 1".into(),
    })?;
    let entropy = SeededEntropy::new(seed);
    for (n, user) in people.iter().enumerate() {
        let (role, team) = match (n, user.starts_with("cs.")) {
            (0, _) => (Role::Supervisor, Some(team.to_owned())),
            (_, true) => (Role::CustomerServiceManager, None),
            _ => (Role::FieldRep, Some(team.to_owned())),
        };
        let user = UserId::new(*user)?;
        accounts::create_user(
            store,
            &entropy,
            &user,
            name_of(user.as_str()),
            role,
            team,
            None,
        )?;
    }
    Ok(())
}

impl Fleet {
    /// Starts the server and opens one store per person, in `dir`.
    pub async fn start(
        dir: &Path,
        seed: u64,
        people: &[&str],
        day: NaiveDate,
    ) -> anyhow::Result<Self> {
        let cal = WorkCalendar::china_default();
        let clock = Arc::new(FixedClock::new(cal.at_local(day, hm(7, 30))));
        let server_store = Arc::new(SqliteStore::open(dir.join("server.sqlite3"))?);
        enrol_people(&server_store, people, seed)?;
        let server = fieldbook_sync_server::start(
            server_store.clone(),
            ServerConfig {
                clock: clock.clone(),
                ..ServerConfig::default()
            },
        )
        .await?;
        let mut devices = Vec::new();
        for (n, user) in people.iter().enumerate() {
            let user = UserId::new(*user)?;
            let mut bytes = [0u8; 16];
            bytes[..8].copy_from_slice(&seed.to_le_bytes());
            bytes[15] = n as u8 + 1;
            let device = DeviceId::from_random_bytes(bytes);
            let mut options = StoreOptions::new(device, user.clone());
            options.clock = clock.clone();
            options.entropy = Arc::new(SeededEntropy::new(seed.wrapping_add(n as u64 * 7919)));
            let store = Arc::new(DeviceStore::open(
                dir.join(format!("{user}.sqlite3")),
                options,
            )?);
            let token =
                fieldbook_sync_server::add_device(server_store.as_ref(), device, user.clone())?;
            let sync = DeviceSync::new(store.clone(), server.url(), token.clone());
            devices.push(Device {
                user,
                store,
                sync,
                token,
            });
        }
        let proxy = FaultProxy::start(server.addr(), seed, FaultPlan::Clean).await?;
        Ok(Fleet {
            server_store,
            server,
            proxy,
            devices,
            clock,
            cal,
            day: std::cell::Cell::new(day),
            refused: std::cell::Cell::new(0),
        })
    }

    /// The day being played.
    pub fn day(&self) -> NaiveDate {
        self.day.get()
    }

    /// Moves on to another day (the clock follows at the next [`Fleet::at`]).
    pub fn set_day(&self, day: NaiveDate) {
        self.day.set(day);
    }

    pub fn device(&self, user: &str) -> anyhow::Result<&Device> {
        self.devices
            .iter()
            .find(|d| d.user.as_str() == user)
            .with_context(|| format!("no device for {user}"))
    }

    /// Moves the day's clock to `h:m` local time.
    pub fn at(&self, h: u32, m: u32) -> DateTime<Utc> {
        let t = self.cal.at_local(self.day.get(), hm(h, m));
        self.clock.set(t);
        t
    }

    /// The clock's current time, as the report shows it.
    pub fn when(&self) -> When {
        let at = self.clock.now();
        When {
            at,
            label: self.label(at),
        }
    }

    /// A time as the report shows it: company time, `11-24 08:30`.
    pub fn label(&self, at: DateTime<Utc>) -> String {
        at.with_timezone(&self.cal.time_zone())
            .format("%m-%d %H:%M")
            .to_string()
    }

    /// How many changes the server's judge refused, over every sync so far.
    pub fn refused(&self) -> u64 {
        self.refused.get()
    }

    /// One sync round of `device`; a line for the timeline.
    pub async fn sync(&self, device: &Device) -> anyhow::Result<String> {
        let stats = device.sync.sync_once(Duration::from_secs(120)).await?;
        self.refused.set(self.refused.get() + stats.records_refused);
        Ok(format!(
            "同步：{} 条记录有更新，发送 {} 帧 / synced: {} records changed, {} frames sent",
            stats.records_changed, stats.frames_sent, stats.records_changed, stats.frames_sent
        ))
    }

    /// A sync round whose connection is cut after `after` bytes towards the device: what was
    /// stored and acknowledged stays so, and the next round resumes.
    pub async fn sync_cut(&self, device: &Device, after: u64) -> anyhow::Result<String> {
        let plan = FaultPlan::Always(Cut {
            direction: Direction::ToClient,
            after,
        });
        self.proxy.set_plan(plan);
        let url = format!("ws://{}/sync", self.proxy.addr());
        let client = DeviceSync::new(device.store.clone(), url, device.token.clone());
        let outcome = client.sync_once(Duration::from_secs(30)).await;
        self.proxy.set_plan(FaultPlan::Clean);
        // A sales manager reads what happened to the phone, not the transport's error text
        // (which goes to the log, for whoever runs the demo with RUST_LOG).
        Ok(match outcome {
            Ok(stats) => {
                self.refused.set(self.refused.get() + stats.records_refused);
                "信号不稳，但同步已完成 / weak signal, but the sync finished".to_owned()
            }
            Err(e) => {
                tracing::debug!(error = %e, "sync cut by the fault proxy");
                "信号中断，稍后重连 / signal lost, reconnected later".to_owned()
            }
        })
    }

    /// The server's merged copy of a record, as JSON.
    pub fn server_json(&self, id: RecordId) -> anyhow::Result<Option<Json>> {
        Ok(self.server_doc(id)?.map(|doc| doc.to_json()))
    }

    /// The server's merged copy of a record, as a document.
    pub fn server_doc(&self, id: RecordId) -> anyhow::Result<Option<RecordDoc>> {
        let Some(bytes) = self.server_store.load_doc(id)? else {
            return Ok(None);
        };
        Ok(Some(RecordDoc::load(
            id,
            &bytes,
            DeviceId::default().actor(0),
        )?))
    }

    pub async fn stop(self) -> anyhow::Result<()> {
        self.server.shutdown().await?;
        Ok(())
    }
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
}
