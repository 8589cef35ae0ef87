//! A company on a real server on 127.0.0.1: two teams, their reps and supervisors, the back
//! office, one device per person with its own token, and raw WebSocket access for attacks.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone;
use fieldbook_core::access::Role;
use fieldbook_core::sync::{DeviceSync, SyncStats, WireMessage};
use fieldbook_core::{
    Clock, DeviceId, DeviceStore, FixedClock, OsEntropy, SeededEntropy, StoreOptions, UserId,
};
use fieldbook_sync_server::{
    RunningServer, ServerConfig, ServerStore, SqliteStore, accounts, add_device, start,
};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message as Frame;

pub const T: Duration = Duration::from_secs(30);

pub const PEOPLE: [(&str, Role, Option<&str>); 8] = [
    ("rep.li", Role::FieldRep, Some("east")),
    ("rep.wang", Role::FieldRep, Some("west")),
    ("sup.zhao", Role::Supervisor, Some("east")),
    ("sup.qian", Role::Supervisor, Some("west")),
    ("mkt.sun", Role::MarketingManager, None),
    ("cs.zhou", Role::CustomerServiceManager, None),
    ("fin.wu", Role::FinanceManager, None),
    ("admin.zheng", Role::Admin, None),
];

pub struct Device {
    /// The phone's clock, which a test may move (its steps are stamped by it).
    pub clock: Arc<FixedClock>,
    pub user: UserId,
    pub id: DeviceId,
    pub store: Arc<DeviceStore>,
    pub token: String,
    pub sync: DeviceSync,
}

impl Device {
    pub async fn sync(&self) -> SyncStats {
        self.sync.sync_once(T).await.unwrap()
    }
}

pub struct World {
    pub dir: tempfile::TempDir,
    pub store: Arc<SqliteStore>,
    pub server: RunningServer,
    pub devices: BTreeMap<String, Device>,
}

pub fn user(name: &str) -> UserId {
    UserId::new(name).unwrap()
}

impl World {
    pub async fn start() -> World {
        World::start_with(ServerConfig::default(), None).await
    }

    /// A world whose server clock stands at `at` (tokens are issued by the same clock).
    pub async fn start_at(at: chrono::DateTime<chrono::Utc>) -> World {
        let clock = Arc::new(FixedClock::new(at));
        let config = ServerConfig {
            clock: clock.clone(),
            ..ServerConfig::default()
        };
        World::start_with(config, Some(clock)).await
    }

    /// A world whose server runs with `config` (on the system clock).
    pub async fn start_configured(config: ServerConfig) -> World {
        World::start_with(config, None).await
    }

    async fn start_with(config: ServerConfig, clock: Option<Arc<FixedClock>>) -> World {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open(dir.path().join("server.sqlite3")).unwrap());
        for team in ["east", "west"] {
            let t = accounts::Team {
                id: team.into(),
                name: team.into(),
            };
            store.put_team(&t).unwrap();
        }
        let entropy = SeededEntropy::new(7);
        for (name, role, team) in PEOPLE {
            let team = team.map(str::to_owned);
            let password = Some("correct horse battery");
            accounts::create_user(
                store.as_ref(),
                &entropy,
                &user(name),
                name,
                role,
                team,
                password,
            )
            .unwrap();
        }
        let server = start(store.clone(), config).await.unwrap();
        let mut devices = BTreeMap::new();
        for (n, (name, _, _)) in PEOPLE.iter().enumerate() {
            let mut d = open_device(&dir, &store, &server, n as u8 + 1, name);
            if let Some(clock) = &clock {
                d.token = token_at(&store, clock.as_ref(), d.id, name);
                d.sync = DeviceSync::new(d.store.clone(), server.url(), d.token.clone());
            }
            devices.insert((*name).to_owned(), d);
        }
        World {
            dir,
            store,
            server,
            devices,
        }
    }

    pub fn device(&self, name: &str) -> &Device {
        &self.devices[name]
    }

    pub fn http(&self, path: &str) -> String {
        format!("http://{}{path}", self.server.addr())
    }

    /// Connects a raw WebSocket with `token` and completes the handshake.
    pub async fn raw(&self, token: &str) -> Raw {
        let url = format!("{}?token={token}", self.server.url());
        let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let join = WireMessage::Join {
            sender_id: "raw".into(),
            supported_protocol_versions: vec!["1".into()],
            peer_metadata: None,
        };
        ws.send(Frame::binary(join.encode())).await.unwrap();
        let peer = ws.next().await.unwrap().unwrap();
        assert!(matches!(
            WireMessage::decode(&peer.into_data()).unwrap(),
            WireMessage::Peer { .. }
        ));
        Raw { ws }
    }
}

pub fn open_device(
    dir: &tempfile::TempDir,
    store: &SqliteStore,
    server: &RunningServer,
    n: u8,
    name: &str,
) -> Device {
    let id = DeviceId::from_random_bytes([n; 16]);
    let mut opts = StoreOptions::new(id, user(name));
    let clock = Arc::new(FixedClock::new(phones_now()));
    opts.clock = clock.clone();
    opts.entropy = Arc::new(SeededEntropy::new(u64::from(n)));
    let path = dir.path().join(format!("{name}-{n}.sqlite3"));
    let device_store = Arc::new(DeviceStore::open(path, opts).unwrap());
    let token = add_device(store, id, user(name)).unwrap();
    Device {
        clock,
        user: user(name),
        id,
        sync: DeviceSync::new(device_store.clone(), server.url(), token.clone()),
        store: device_store,
        token,
    }
}

/// Where every test phone's clock starts: 2026-11-23 09:00 UTC. A server that judges the
/// phones' claimed times runs at the same instant (`World::start_at(phones_now())`).
pub fn phones_now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

/// A token for `device` issued by `clock`.
pub fn token_at(store: &SqliteStore, clock: &dyn Clock, device: DeviceId, name: &str) -> String {
    accounts::issue_token(
        store,
        clock,
        &OsEntropy,
        device,
        user(name),
        accounts::TOKEN_TTL,
    )
    .unwrap()
    .token
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A raw protocol connection.
pub struct Raw {
    pub ws: Ws,
}

/// What a raw connection heard next.
#[derive(Debug)]
pub enum Heard {
    Message(WireMessage),
    Closed,
}

impl Raw {
    pub async fn send(&mut self, m: &WireMessage) {
        self.ws.send(Frame::binary(m.encode())).await.unwrap();
    }

    /// The next protocol message (or the close), within a generous bound.
    pub async fn next(&mut self) -> Heard {
        let got = tokio::time::timeout(T, async {
            loop {
                match self.ws.next().await {
                    Some(Ok(Frame::Binary(b))) => {
                        return Heard::Message(WireMessage::decode(&b).unwrap());
                    }
                    Some(Ok(Frame::Close(_))) | None | Some(Err(_)) => return Heard::Closed,
                    Some(Ok(_)) => {}
                }
            }
        })
        .await;
        got.expect("the server answered within the bound")
    }

    /// Waits for an `error` message; returns its text.
    pub async fn error(&mut self) -> String {
        loop {
            match self.next().await {
                Heard::Message(WireMessage::Error { message, .. }) => return message,
                Heard::Message(_) => {}
                Heard::Closed => panic!("closed without an error message"),
            }
        }
    }
}

/// A sync message for `doc` as the raw peer.
pub fn sync_frame(doc: &str, m: automerge::sync::Message) -> WireMessage {
    WireMessage::Sync {
        document_id: doc.to_owned(),
        sender_id: "raw".into(),
        target_id: "fieldbook-sync-server".into(),
        data: m.encode(),
    }
}

/// Syncs `doc` as record `id` over a raw connection until both sides are quiet; `Err` with the
/// server's message if it refuses.
pub async fn push(raw: &mut Raw, id: &str, doc: &mut automerge::AutoCommit) -> Result<(), String> {
    use automerge::sync::{Message, State, SyncDoc};
    let mut state = State::new();
    for _ in 0..16 {
        let Some(m) = doc.sync().generate_sync_message(&mut state) else {
            return Ok(());
        };
        raw.send(&sync_frame(id, m)).await;
        match raw.next().await {
            Heard::Message(WireMessage::Sync { data, .. }) => {
                let reply = Message::decode(&data).unwrap();
                doc.sync().receive_sync_message(&mut state, reply).unwrap();
            }
            Heard::Message(WireMessage::Error { message, .. }) => return Err(message),
            Heard::Message(WireMessage::DocUnavailable { .. }) => return Err("unavailable".into()),
            Heard::Message(other) => panic!("unexpected {other:?}"),
            Heard::Closed => return Err("closed".into()),
        }
    }
    panic!("no settle in 16 rounds")
}

impl World {
    /// A world whose server runs on `clock`, which the test keeps and moves.
    pub async fn start_on(clock: Arc<FixedClock>) -> World {
        World::start_configured_on(ServerConfig::default(), clock).await
    }

    /// A world whose server runs with `config` on `clock`, which the test keeps and moves.
    pub async fn start_configured_on(config: ServerConfig, clock: Arc<FixedClock>) -> World {
        let config = ServerConfig {
            clock: clock.clone(),
            ..config
        };
        World::start_with(config, Some(clock)).await
    }
}

/// Edits record `id` in the device's document directly, as a stock client would: the device's
/// own lifecycle judge is bypassed, so the server is the one to judge the change.
pub fn raw_edit<R: fieldbook_core::Record>(
    device: &Device,
    id: fieldbook_core::RecordId,
    edit: impl FnOnce(&mut R),
) {
    device
        .store
        .with_doc_mut(id, |doc| {
            doc.update::<R>(|r| {
                edit(r);
                Ok(())
            })
            .map(drop)
        })
        .unwrap();
}

impl World {
    /// Another phone of `name`'s that has never synced (so the steps it recorded offline, at
    /// its own clock's times, are judged without a floor), with a token issued at `server_now`.
    pub fn fresh_device(
        &self,
        n: u8,
        name: &str,
        server_now: chrono::DateTime<chrono::Utc>,
    ) -> Device {
        let mut d = open_device(&self.dir, &self.store, &self.server, n, name);
        d.token = token_at(&self.store, &FixedClock::new(server_now), d.id, name);
        d.sync = DeviceSync::new(d.store.clone(), self.server.url(), d.token.clone());
        d
    }
}

/// Takes a visit plan through its legal steps on `device` (seed 000): created and invited at
/// `invited_at`, answered a minute later, attended at `attended_at`; the phone's clock is put
/// back afterwards. The plan must name its customer, purpose, place and time.
pub fn visit_through(
    device: &Device,
    plan: fieldbook_core::model::VisitPlan,
    outcome: fieldbook_core::model::VisitStatus,
    invited_at: chrono::DateTime<chrono::Utc>,
    attended_at: Option<chrono::DateTime<chrono::Utc>>,
) -> fieldbook_core::RecordId {
    use fieldbook_core::model::{InvitationMethod, VisitPlan, VisitStatus as S};
    use fieldbook_core::rules::{Action, visit_plan as rules};
    let back = device.clock.now();
    let store = &device.store;
    device.clock.set(invited_at);
    let id = store.create(plan).unwrap().meta.id;
    let step = |rule: &dyn Fn(&mut VisitPlan, &Action) -> fieldbook_core::Result<()>| {
        let act = Action::on(store);
        store.update::<VisitPlan>(id, |p| rule(p, &act)).unwrap();
    };
    if outcome != S::Planned {
        step(&|p, a| rules::invite(p, InvitationMethod::Phone, a));
    }
    device.clock.set(invited_at + chrono::Duration::minutes(1));
    match outcome {
        S::Declined => step(&|p, a| rules::decline(p, "预算冻结", a)),
        S::Accepted | S::Attended | S::NoShow => step(&|p, a| rules::accept(p, 2, a)),
        _ => {}
    }
    if outcome == S::Attended {
        device.clock.set(attended_at.unwrap_or(invited_at));
        let cal = fieldbook_core::WorkCalendar::china_default();
        step(&|p, a| rules::mark_attended(p, a, &cal));
    }
    device.clock.set(back);
    id
}

/// Syncs `device`, expecting the server to refuse its change to `id` and to keep its copy as
/// `snapshot` saw it before; then the device drops the refused change and syncs again. The
/// server's reason, for the caller to check.
pub async fn sync_refused<T: PartialEq + std::fmt::Debug>(
    device: &Device,
    id: fieldbook_core::RecordId,
    snapshot: impl Fn() -> T,
) -> String {
    let before = snapshot();
    let stats = device.sync().await;
    assert_eq!(stats.records_refused, 1, "{stats:?}");
    assert_eq!(snapshot(), before, "nothing stored");
    let reason = device
        .store
        .refusals()
        .unwrap()
        .into_iter()
        .find(|r| r.record == id)
        .unwrap()
        .reason;
    device.store.discard_unsynced(id, "server").unwrap();
    device.sync().await;
    reason
}

/// `device`'s user's daily log of `day` (seed 003) with `entries`, filled and — when `submit`
/// — reported at the phone's clock, through the core's rules; saved on the phone, not synced.
pub fn daily_log_on(
    device: &Device,
    day: chrono::NaiveDate,
    entries: Vec<fieldbook_core::model::LogEntry>,
    submit: bool,
) -> fieldbook_core::RecordId {
    use fieldbook_core::rules::{Action, daily_log};
    let act = Action::on(&device.store);
    let mut log = daily_log::new_log(&device.user, day);
    let content = daily_log::LogContent {
        entries,
        problems: "客户要求延期付款".into(),
        next_day_plan: "拜访华联超市".into(),
    };
    daily_log::fill(&mut log, content, &act).unwrap();
    if submit {
        let cal = fieldbook_core::WorkCalendar::china_default();
        daily_log::submit(&mut log, &act, &cal).unwrap();
    }
    device.store.create(log).unwrap().meta.id
}

/// As a stock client of `device`: asks for record `id` holding nothing of it (`Err` with
/// "unavailable" when the server will not serve it), then forces a change built on the
/// server's stored history onto it; the error the server answers the change with.
pub async fn raw_read_then_write(
    w: &World,
    device: &Device,
    id: fieldbook_core::RecordId,
) -> (Result<(), String>, String) {
    use automerge::transaction::Transactable as _;
    let mut raw = w.raw(&device.token).await;
    let mut empty = automerge::AutoCommit::new();
    let read = push(&mut raw, &id.to_string(), &mut empty).await;
    let stored = w.store.load_doc(id).unwrap().unwrap();
    let mut doc = automerge::AutoCommit::load(&stored)
        .unwrap()
        .with_actor(device.id.actor(1));
    let old_heads = doc.get_heads();
    doc.put(automerge::ROOT, "notes", "改别人的客户").unwrap();
    raw.send(&sync_frame(&id.to_string(), forced(&mut doc, &old_heads)))
        .await;
    (read, raw.error().await)
}

/// A sync message carrying every change of `doc` after `since` straight away, without the
/// heads-first exchange automerge would do: how an attacker forces changes on the server.
pub fn forced(
    doc: &mut automerge::AutoCommit,
    since: &[automerge::ChangeHash],
) -> automerge::sync::Message {
    let changes: Vec<Vec<u8>> = doc
        .get_changes(since)
        .iter()
        .map(|c| c.raw_bytes().to_vec())
        .collect();
    automerge::sync::Message {
        heads: doc.get_heads(),
        need: Vec::new(),
        have: Vec::new(),
        changes: changes.into(),
        flags: None,
        version: automerge::sync::MessageVersion::V1,
    }
}
