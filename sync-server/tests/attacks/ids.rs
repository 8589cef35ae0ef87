//! Ids the server owns (issue 15, findings 3 and 4): a rep squatting another user's index id
//! (existing or not yet created), a device enrolling or signing in with another user's device
//! id or the server's own, tokens for users who do not exist or are disabled.

use crate::common::{World, open_device, push, sync_frame, user};
use fieldbook_core::model::{Customer, RecordKind};
use fieldbook_core::sync::index_doc::{INDEX_KIND, index_user};
use fieldbook_core::sync::index_id;
use fieldbook_core::{DeviceId, RecordDoc, RecordId};
use fieldbook_sync_server::{ServerStore, add_device};
use serde_json::{Value, json};

/// A customer of `squatter` planted at the index id of `victim`, as the squatter's device.
async fn squat(w: &World, squatter: &str, victim: &str) -> (RecordId, String) {
    let device = w.device(squatter);
    let id = index_id(&user(victim));
    let mut c = Customer::default();
    c.meta.id = id;
    c.meta.owner = user(squatter);
    c.meta.created_by = user(squatter);
    c.name = "伪造的索引 / planted".into();
    let mut doc = RecordDoc::create(&c, device.id.actor(1)).unwrap();
    let mut raw = w.raw(&device.token).await;
    // Politely (heads first, as automerge does): the id is answered as unknown.
    let polite = push(&mut raw, &id.to_string(), doc.automerge()).await;
    assert_eq!(polite.unwrap_err(), "unavailable");
    // Forced (the changes sent straight away): refused.
    let forced = crate::common::forced(doc.automerge(), &[]);
    raw.send(&sync_frame(&id.to_string(), forced)).await;
    (id, raw.error().await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn squatting_the_index_id_of_an_existing_or_future_user_is_refused() {
    let w = World::start().await;
    for victim in ["rep.li", "rep.future"] {
        let (id, refused) = squat(&w, "rep.wang", victim).await;
        assert!(
            refused.contains("服务器保留") && refused.contains("reserved for the server"),
            "{refused}"
        );
        assert_eq!(w.store.load_versioned(id).unwrap(), None, "nothing stored");
    }
    assert!(w.store.list_docs().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_created_after_a_squat_attempt_syncs_only_his_own_records() {
    let w = World::start().await;
    let (planted, _) = squat(&w, "rep.wang", "rep.zhu").await;
    let admin = w.device("admin.zheng").token.clone();
    let zhu = json!({"user": "rep.zhu", "name": "朱", "role": "field_rep", "team": "east"});
    let (status, body) = post(&w, "/api/v1/admin/users", Some(&admin), zhu).await;
    assert_eq!(status, 204, "{body}");
    let phone = open_device(&w.dir, &w.store, &w.server, 60, "rep.zhu");
    let own = phone.store.create(Customer::default()).unwrap().meta.id;
    phone.sync().await;
    let fresh = open_device(&w.dir, &w.store, &w.server, 61, "rep.zhu");
    let stats = fresh.sync().await;
    assert_eq!(stats.records_refused, 0, "{stats:?}");
    let held: Vec<RecordId> = fresh
        .store
        .list(Some(RecordKind::Customer))
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(held, vec![own], "his own record, nothing planted");
    // The index at his id is the server's, naming him.
    let stored = w.store.load_doc(planted).unwrap().expect("his index");
    let index = automerge::AutoCommit::load(&stored).unwrap();
    assert_eq!(index_user(&index), Some(user("rep.zhu")));
    let kind = w.store.list_docs().unwrap();
    assert!(kind.iter().any(|d| d.id == planted && d.kind == INDEX_KIND));
}

async fn post(w: &World, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut request = reqwest::Client::new().post(w.http(path)).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn error(body: &Value) -> &str {
    body["error"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_or_enrolling_with_another_users_device_id_is_refused() {
    let w = World::start().await;
    let li = w.device("rep.li").id.to_string();
    let tokens = w.store.device_tokens().unwrap();
    let login = json!({"user": "rep.wang", "password": "correct horse battery", "device": li});
    let (status, body) = post(&w, "/api/v1/devices/login", None, login).await;
    assert_eq!(status, 403, "{body}");
    assert!(error(&body).contains("已属于另一用户 / device"), "{body}");
    let admin = w.device("admin.zheng").token.clone();
    let path = "/api/v1/admin/users/rep.wang/enrolment";
    let (_, code) = post(&w, path, Some(&admin), json!({})).await;
    let enrol = json!({"code": code["code"], "device": li});
    let (status, body) = post(&w, "/api/v1/devices/enrol", None, enrol).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        error(&body).contains("already belongs to another user"),
        "{body}"
    );
    assert_eq!(w.store.device_tokens().unwrap(), tokens, "no token stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_own_device_id_is_refused_and_the_code_stays_usable() {
    let w = World::start().await;
    let nil = DeviceId::NIL.to_string();
    let tokens = w.store.device_tokens().unwrap();
    let login = json!({"user": "rep.wang", "password": "correct horse battery", "device": nil});
    let (status, body) = post(&w, "/api/v1/devices/login", None, login).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        error(&body).contains("保留编号（服务器自用）/ device id"),
        "{body}"
    );
    let admin = w.device("admin.zheng").token.clone();
    let path = "/api/v1/admin/users/rep.wang/enrolment";
    let (_, code) = post(&w, path, Some(&admin), json!({})).await;
    let enrol = json!({"code": code["code"], "device": nil});
    let (status, body) = post(&w, "/api/v1/devices/enrol", None, enrol).await;
    assert_eq!(status, 400, "{body}");
    assert!(error(&body).contains("reserved for the server"), "{body}");
    assert_eq!(w.store.device_tokens().unwrap(), tokens, "no token stored");
    let ok = json!({"code": code["code"]});
    let (status, body) = post(&w, "/api/v1/devices/enrol", None, ok).await;
    assert_eq!(status, 200, "the refusal did not use the code up: {body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_for_a_user_who_does_not_exist_or_is_disabled() {
    let w = World::start().await;
    let tokens = w.store.device_tokens().unwrap();
    let device = DeviceId::from_random_bytes([70; 16]);
    let missing = add_device(w.store.as_ref(), device, user("nobody")).unwrap_err();
    assert!(
        missing
            .to_string()
            .contains("用户 nobody 不存在 / user nobody does not exist"),
        "{missing}"
    );
    let mut wang = w.store.account(&user("rep.wang")).unwrap().unwrap();
    wang.active = false;
    w.store.put_account(&wang).unwrap();
    let disabled = add_device(w.store.as_ref(), device, user("rep.wang")).unwrap_err();
    assert!(
        disabled
            .to_string()
            .contains("已停用 / user rep.wang is disabled"),
        "{disabled}"
    );
    assert_eq!(w.store.device_tokens().unwrap(), tokens, "no token stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_add_device_command_refuses_a_user_who_does_not_exist() {
    let w = World::start().await;
    let tokens = w.store.device_tokens().unwrap();
    let db = w.dir.path().join("server.sqlite3");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fieldbook-sync-server"))
        .arg("--db")
        .arg(&db)
        .args(["add-device", "--user", "nobody"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("用户 nobody 不存在 / user nobody does not exist"),
        "{stderr}"
    );
    let nil = DeviceId::NIL.to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_fieldbook-sync-server"))
        .arg("--db")
        .arg(&db)
        .args(["add-device", "--user", "rep.wang", "--device", &nil])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("reserved for the server"),
        "{stderr}"
    );
    assert_eq!(w.store.device_tokens().unwrap(), tokens, "no token stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upgraded_server_rebuilds_legacy_indexes_at_the_reserved_ids() {
    use fieldbook_core::sync::heads_key;
    use fieldbook_core::sync::index_doc::{legacy_index_id, put_entry, read_entries};
    use fieldbook_sync_server::{ServerConfig, SqliteStore, accounts, start};
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(SqliteStore::open(dir.path().join("server.sqlite3")).unwrap());
    let li = user("rep.li");
    let role = fieldbook_core::access::Role::FieldRep;
    let entropy = fieldbook_core::SeededEntropy::new(1);
    accounts::create_user(store.as_ref(), &entropy, &li, "李", role, None, None).unwrap();
    // What the old server stored: rep.li's customer, and his index at the old (v4) id.
    let mut c = Customer::default();
    c.meta.id = RecordId::from_random_bytes([5; 16]);
    (c.meta.owner, c.meta.created_by) = (li.clone(), li.clone());
    let mut doc = RecordDoc::create(&c, DeviceId::from_random_bytes([1; 16]).actor(1)).unwrap();
    let key = heads_key(&doc.heads());
    store
        .append_chunk(c.meta.id, "customer", &key, &doc.save())
        .unwrap();
    let mut old = automerge::AutoCommit::new();
    put_entry(&mut old, &li, c.meta.id, &key).unwrap();
    let old_key = heads_key(&old.get_heads());
    store
        .append_chunk(legacy_index_id(&li), INDEX_KIND, &old_key, &old.save())
        .unwrap();
    let server = start(store.clone(), ServerConfig::default()).await.unwrap();
    let rebuilt = store
        .load_doc(index_id(&li))
        .unwrap()
        .expect("index rebuilt");
    let rebuilt = automerge::AutoCommit::load(&rebuilt).unwrap();
    assert!(read_entries(&rebuilt).contains_key(&c.meta.id));
    // An updated phone finds its record through the new index.
    let phone = open_device(&dir, &store, &server, 7, "rep.li");
    phone.sync().await;
    assert!(phone.store.contains(c.meta.id).unwrap());
}
