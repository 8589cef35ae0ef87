//! Erasure that really erases: after a contact's personal data is erased, no byte of the phone
//! number is left in the server's database file or in the devices' — including a device that
//! was offline with an edit of its own when the erasure happened.
#![allow(clippy::unwrap_used, clippy::unit_arg)]

mod common;

use common::World;
use fieldbook_core::model::{Consent, Contact, Customer};
use fieldbook_sync_server::ServerStore;

const PHONE: &str = "13987654321";

/// Whether any file of a SQLite database (main, WAL) holds `needle`.
fn file_holds(db: &std::path::Path, needle: &[u8]) -> bool {
    ["", "-wal"].iter().any(|suffix| {
        let path = format!("{}{suffix}", db.display());
        std::fs::read(path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_byte_of_an_erased_phone_number_remains_on_the_server_or_the_devices() {
    let w = World::start().await;
    let li = w.device("rep.li");
    let zhao = w.device("sup.zhao");
    let customer = Customer {
        name: "华东机械".into(),
        contacts: vec![Contact {
            id: "c1".into(),
            name: "赵敏".into(),
            mobile: PHONE.into(),
            consent: Some(Consent {
                channel: "展会登记表 / trade-show form".into(),
                purpose: "回访与报价 / follow-up and quotes".into(),
                ..Consent::default()
            }),
            ..Contact::default()
        }],
        ..Customer::default()
    };
    let id = li.store.create(customer).unwrap().meta.id;
    // Edits after the phone number was written keep it in the history, not only the value.
    li.store
        .update::<Customer>(id, |c| Ok(c.contacts[0].title = "采购经理".into()))
        .unwrap();
    li.sync().await;
    zhao.sync().await;
    let server_db = w.dir.path().join("server.sqlite3");
    let li_db = w.dir.path().join("rep.li-1.sqlite3");
    let zhao_db = w.dir.path().join("sup.zhao-3.sqlite3");
    for db in [&server_db, &li_db, &zhao_db] {
        assert!(
            file_holds(db, PHONE.as_bytes()),
            "sanity: {} holds it before",
            db.display()
        );
    }
    // The supervisor is offline with an edit of his own when the erasure happens.
    zhao.store
        .update::<Customer>(id, |c| Ok(c.notes = "周五回访".into()))
        .unwrap();

    let erase = reqwest::Client::new()
        .post(w.http("/api/v1/privacy/erase"))
        .bearer_auth(&w.device("cs.zhou").token)
        .json(&serde_json::json!({"record": id.to_string(), "contact": "c1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(erase.status(), 200, "{:?}", erase.text().await);
    assert!(
        !file_holds(&server_db, PHONE.as_bytes()),
        "server file is clean"
    );

    let stats = li.sync().await;
    assert_eq!(stats.records_rewritten, 1, "{stats:?}");
    let stats = zhao.sync().await;
    assert_eq!(stats.records_rewritten, 1, "{stats:?}");
    for db in [&server_db, &li_db, &zhao_db] {
        assert!(
            !file_holds(db, PHONE.as_bytes()),
            "{} still holds the number",
            db.display()
        );
    }
    let after: Customer = li.store.get(id).unwrap();
    assert_eq!(after.contacts[0].mobile, "");
    assert!(
        after.contacts[0]
            .consent
            .as_ref()
            .unwrap()
            .withdrawn_at
            .is_some()
    );
    assert_eq!(after.name, "华东机械", "the rest of the record stays");
    let log = w.store.access_log(Some(id), 50).unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "erase" && e.user.as_str() == "cs.zhou")
    );
    // A rep may not erase.
    let denied = reqwest::Client::new()
        .post(w.http("/api/v1/privacy/erase"))
        .bearer_auth(&li.token)
        .json(&serde_json::json!({"record": id.to_string(), "contact": "c1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 403);
}
