//! Devices and the server in one process over real loopback sockets.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone;
use fieldbook_core::OsEntropy;
use fieldbook_core::access::Role;
use fieldbook_core::model::{Customer, VisitPlan};
use fieldbook_core::sync::DeviceSync;
use fieldbook_core::{
    DeviceId, DeviceStore, FixedClock, RecordId, SeededEntropy, StoreOptions, UserId,
};
use fieldbook_sync_server::{
    RunningServer, ServerConfig, ServerStore, SqliteStore, accounts, add_device, start,
};
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message as Frame;

const T: Duration = Duration::from_secs(30);

struct Device {
    store: Arc<DeviceStore>,
    sync: DeviceSync,
}

struct World {
    _dir: tempfile::TempDir,
    server_store: Arc<SqliteStore>,
    server: RunningServer,
}

/// The people of these tests: a team with a supervisor and reps.
fn company(store: &SqliteStore) {
    store
        .put_team(&accounts::Team {
            id: "east".into(),
            name: "华东 / East".into(),
        })
        .unwrap();
    for (user, role) in [
        ("sup.zhao", Role::Supervisor),
        ("rep.li", Role::FieldRep),
        ("team", Role::FieldRep),
    ] {
        let user = UserId::new(user).unwrap();
        let team = Some("east".to_owned());
        accounts::create_user(store, &OsEntropy, &user, "测试", role, team, None).unwrap();
    }
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let server_store = Arc::new(SqliteStore::open(dir.path().join("server.sqlite3")).unwrap());
    company(&server_store);
    let server = start(server_store.clone(), ServerConfig::default())
        .await
        .unwrap();
    World {
        _dir: dir,
        server_store,
        server,
    }
}

fn device(w: &World, n: u8, user: &str) -> Device {
    let id = DeviceId::from_random_bytes([n; 16]);
    let user = UserId::new(user).unwrap();
    let mut opts = StoreOptions::new(id, user.clone());
    opts.clock = Arc::new(FixedClock::new(
        chrono::Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    ));
    opts.entropy = Arc::new(SeededEntropy::new(u64::from(n)));
    let store =
        Arc::new(DeviceStore::open(w._dir.path().join(format!("d{n}.sqlite3")), opts).unwrap());
    let token = add_device(w.server_store.as_ref(), id, user).unwrap();
    Device {
        sync: DeviceSync::new(store.clone(), w.server.url(), token),
        store,
    }
}

fn customer(name: &str, owner: &str) -> Customer {
    let mut c = Customer {
        name: name.into(),
        ..Customer::default()
    };
    c.meta.owner = UserId::new(owner).unwrap();
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_devices_edit_offline_and_converge_in_several_orders() {
    let w = world().await;
    let devices = [
        device(&w, 1, "team"),
        device(&w, 2, "team"),
        device(&w, 3, "team"),
    ];
    let shared = devices[0].store.create(customer("甲公司", "team")).unwrap();
    devices[0].sync.sync_once(T).await.unwrap();
    devices[1].sync.sync_once(T).await.unwrap();
    devices[2].sync.sync_once(T).await.unwrap();
    for d in &devices {
        assert!(
            d.store.contains(shared.meta.id).unwrap(),
            "discovered through the index"
        );
    }
    // Offline: concurrent edits to the same field and to different fields, plus new records.
    let industries = ["机械", "化工", "电子"];
    for (i, d) in devices.iter().enumerate() {
        d.store
            .update::<Customer>(shared.meta.id, |c| {
                c.industry = industries[i].to_owned();
                Ok(())
            })
            .unwrap();
        d.store
            .update::<Customer>(shared.meta.id, |c| {
                c.needs = format!("{}{}", c.needs, i);
                Ok(())
            })
            .unwrap();
        d.store
            .create(customer(&format!("客户{i}"), "team"))
            .unwrap();
    }
    for order in [[2, 0, 1], [1, 2, 0], [0, 1, 2]] {
        for i in order {
            devices[i].sync.sync_once(T).await.unwrap();
        }
    }
    let first = devices[0].store.list(None).unwrap();
    assert_eq!(first.len(), 4);
    let server_docs = w.server_store.list_docs().unwrap();
    for summary in &first {
        let id = summary.id;
        let json = devices[0].store.get_json(id).unwrap();
        let heads = fieldbook_core::sync::heads_key(&devices[0].store.heads(id).unwrap());
        for d in &devices[1..] {
            assert_eq!(d.store.get_json(id).unwrap(), json);
            assert_eq!(
                fieldbook_core::sync::heads_key(&d.store.heads(id).unwrap()),
                heads
            );
            assert!(d.store.is_synced(id, "server").unwrap());
        }
        let on_server = server_docs.iter().find(|s| s.id == id).unwrap();
        assert_eq!(on_server.heads_key, heads);
    }
    let conflicts = devices[2].store.conflicts(shared.meta.id).unwrap();
    assert!(
        conflicts.iter().any(|c| c.path == "/industry"),
        "same-field conflict kept visible"
    );
    w.server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visit_assigned_by_a_supervisor_reaches_the_rep() {
    let w = world().await;
    let sup = device(&w, 1, "sup.zhao");
    let rep = device(&w, 2, "rep.li");
    let mut visit = VisitPlan {
        rep: UserId::new("rep.li").unwrap(),
        ..VisitPlan::default()
    };
    visit.meta.owner = UserId::new("rep.li").unwrap();
    let visit = sup.store.create(visit).unwrap();
    sup.sync.sync_once(T).await.unwrap();
    rep.sync.sync_once(T).await.unwrap();
    let got: VisitPlan = rep.store.get(visit.meta.id).unwrap();
    assert_eq!(got.rep.as_str(), "rep.li");
    // A second sync with nothing changed exchanges only the handshake and the index.
    let stats = rep.sync.sync_once(T).await.unwrap();
    assert!(stats.frames_sent <= 2, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_or_missing_token_is_refused_and_nothing_is_stored() {
    let w = world().await;
    let d = device(&w, 1, "rep.li");
    d.store.create(customer("乙公司", "rep.li")).unwrap();
    let bad = DeviceSync::new(d.store.clone(), w.server.url(), "not-a-token");
    let err = bad.sync_once(T).await.unwrap_err();
    assert!(matches!(err, fieldbook_core::Error::Refused(_)), "{err}");
    let missing = tokio_tungstenite::connect_async(w.server.url()).await;
    assert!(missing.is_err());
    assert!(w.server_store.list_docs().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frame_closes_only_that_connection() {
    let w = world().await;
    let d = device(&w, 1, "rep.li");
    let token = add_device(
        w.server_store.as_ref(),
        DeviceId::from_random_bytes([9; 16]),
        UserId::new("rep.li").unwrap(),
    )
    .unwrap();
    let url = format!("{}?token={token}", w.server.url());
    let (mut bad, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    bad.send(Frame::binary(vec![0xff, 0x00, 0x13]))
        .await
        .unwrap();
    let mut closed = false;
    while let Some(frame) = bad.next().await {
        if matches!(frame, Ok(Frame::Close(_)) | Err(_)) {
            closed = true;
            break;
        }
    }
    assert!(closed);
    let c = d.store.create(customer("丙公司", "rep.li")).unwrap();
    d.sync.sync_once(T).await.unwrap();
    assert!(d.store.is_synced(c.meta.id, "server").unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_record_kind_is_refused_without_looping() {
    let w = world().await;
    let d = device(&w, 1, "rep.li");
    let id = RecordId::from_random_bytes([5; 16]);
    let mut doc = automerge::AutoCommit::new();
    use automerge::transaction::Transactable;
    doc.put(automerge::ROOT, "kind", "spaceship").unwrap();
    d.store.import_changes(id, &doc.save()).unwrap();
    let stats = d.sync.sync_once(T).await.unwrap();
    assert_eq!(stats.records_refused, 1);
    assert!(
        w.server_store
            .list_docs()
            .unwrap()
            .iter()
            .all(|s| s.id != id)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicated_sync_message_stores_nothing_twice() {
    use automerge::sync::{Message, State, SyncDoc};
    let w = world().await;
    let d = device(&w, 1, "rep.li");
    let c = d.store.create(customer("丁公司", "rep.li")).unwrap();
    let mut doc =
        automerge::AutoCommit::load(&d.store.export_changes(c.meta.id, &[]).unwrap()).unwrap();
    // The same device, over a raw socket (its changes carry its own actor id).
    let token = add_device(
        w.server_store.as_ref(),
        DeviceId::from_random_bytes([1; 16]),
        UserId::new("rep.li").unwrap(),
    )
    .unwrap();
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("{}?token={token}", w.server.url()))
        .await
        .unwrap();
    let join = fieldbook_core::sync::WireMessage::Join {
        sender_id: "dup".into(),
        supported_protocol_versions: vec!["1".into()],
        peer_metadata: None,
    };
    ws.send(Frame::binary(join.encode())).await.unwrap();
    ws.next().await.unwrap().unwrap();
    let frame = |m: Message| {
        Frame::binary(
            fieldbook_core::sync::WireMessage::Sync {
                document_id: c.meta.id.to_string(),
                sender_id: "dup".into(),
                target_id: "fieldbook-sync-server".into(),
                data: m.encode(),
            }
            .encode(),
        )
    };
    let mut state = State::new();
    ws.send(frame(doc.sync().generate_sync_message(&mut state).unwrap()))
        .await
        .unwrap();
    let reply = ws.next().await.unwrap().unwrap().into_data();
    let fieldbook_core::sync::WireMessage::Sync { data, .. } =
        fieldbook_core::sync::WireMessage::decode(&reply).unwrap()
    else {
        panic!()
    };
    doc.sync()
        .receive_sync_message(&mut state, Message::decode(&data).unwrap())
        .unwrap();
    let with_changes = doc.sync().generate_sync_message(&mut state).unwrap();
    assert!(!with_changes.changes.is_empty());
    ws.send(frame(with_changes.clone())).await.unwrap();
    ws.send(frame(with_changes)).await.unwrap();
    // A request for an unknown document: its answer proves both copies were processed.
    let unknown = RecordId::from_random_bytes([6; 16]).to_string();
    let mut empty = State::new();
    let probe = automerge::AutoCommit::new()
        .sync()
        .generate_sync_message(&mut empty)
        .unwrap();
    let request = fieldbook_core::sync::WireMessage::Request {
        document_id: unknown.clone(),
        sender_id: "dup".into(),
        target_id: "fieldbook-sync-server".into(),
        data: probe.encode(),
    };
    ws.send(Frame::binary(request.encode())).await.unwrap();
    loop {
        let f = ws.next().await.unwrap().unwrap().into_data();
        if let Ok(fieldbook_core::sync::WireMessage::DocUnavailable { document_id, .. }) =
            fieldbook_core::sync::WireMessage::decode(&f)
        {
            assert_eq!(document_id, unknown);
            break;
        }
    }
    let key = fieldbook_core::sync::heads_key(&doc.get_heads());
    let docs = w.server_store.list_docs().unwrap();
    let stored: Vec<_> = docs.iter().filter(|s| s.id == c.meta.id).collect();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].heads_key, key);
    let bytes = w.server_store.load_doc(c.meta.id).unwrap().unwrap();
    let mut loaded = automerge::AutoCommit::load(&bytes).unwrap();
    assert_eq!(
        loaded.get_changes(&[]).len(),
        doc.get_changes(&[]).len(),
        "no change duplicated"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_comes_back_stamped_and_the_device_learns_the_server_time() {
    use fieldbook_core::model::LeadReferral;
    let w = world().await;
    let d = device(&w, 1, "rep.li");
    let lead = d.store.create(LeadReferral::default()).unwrap();
    assert_eq!(d.store.server_time_floor().unwrap(), None);
    d.sync.sync_once(T).await.unwrap();
    let back: LeadReferral = d.store.get(lead.meta.id).unwrap();
    let stamped = back
        .server_received_at
        .expect("the server stamped its receipt");
    let floor = d
        .store
        .server_time_floor()
        .unwrap()
        .map(|t| t.timestamp_millis());
    assert_eq!(
        floor,
        Some(stamped.timestamp_millis()),
        "kept to the millisecond"
    );
    assert!(d.store.is_synced(lead.meta.id, "server").unwrap());
}
