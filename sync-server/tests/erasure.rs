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

/// An A-grade customer of rep.li (made by the marketing manager) whose contact is named, with
/// the phone, in fields its view keeps (the decision role, the address), and rep.li's reported
/// daily log of a visit to it whose note names the contact.
async fn a_grade_customer_and_a_log_of_it(
    w: &World,
) -> (fieldbook_core::RecordId, fieldbook_core::RecordId) {
    use fieldbook_core::model::{CustomerGrade, LogEntry};
    let mut customer = Customer {
        name: "钻石集团".into(),
        grade: CustomerGrade::A,
        decision_role: "赵敏拍板".into(),
        address: "上海市浦东新区 电话 139 8765 4321".into(),
        contacts: vec![Contact {
            id: "c1".into(),
            name: "赵敏".into(),
            mobile: PHONE.into(),
            ..Contact::default()
        }],
        ..Customer::default()
    };
    customer.meta.owner = common::user("rep.li");
    let sun = w.device("mkt.sun");
    let id = sun.store.create(customer).unwrap().meta.id;
    sun.sync().await;
    let li = w.device("rep.li");
    li.sync().await;
    let entry = LogEntry {
        customer_id: Some(id),
        in_depth: true,
        note: format!("与赵敏深谈续约，手机{PHONE}"),
        ..LogEntry::default()
    };
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let log = common::daily_log_on(li, day, vec![entry], true);
    li.sync().await;
    w.device("sup.zhao").sync().await;
    (id, log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn erasing_a_contact_rewrites_the_daily_logs_of_its_customer_and_its_a_grade_view() {
    use fieldbook_core::access::view_id;
    use fieldbook_core::model::DailyLog;
    let w = World::start_at(common::phones_now()).await;
    let (id, log) = a_grade_customer_and_a_log_of_it(&w).await;
    let (li, zhao) = (w.device("rep.li"), w.device("sup.zhao"));
    let view: Customer = li.store.get(view_id(id)).unwrap();
    assert_eq!(view.decision_role, "赵敏拍板", "sanity: the view keeps it");
    let name = "赵敏".as_bytes();
    let dbs = [
        w.dir.path().join("server.sqlite3"),
        w.dir.path().join("rep.li-1.sqlite3"),
        w.dir.path().join("sup.zhao-3.sqlite3"),
    ];
    for db in &dbs {
        assert!(
            file_holds(db, PHONE.as_bytes()) && file_holds(db, name),
            "sanity: {}",
            db.display()
        );
    }
    // Only the marketing manager reads an A-grade customer in full, so only she can name it.
    let erase = reqwest::Client::new()
        .post(w.http("/api/v1/privacy/erase"))
        .bearer_auth(&w.device("mkt.sun").token)
        .json(&serde_json::json!({"record": id.to_string(), "contact": "c1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(erase.status(), 200, "{:?}", erase.text().await);
    for d in [li, zhao] {
        let stats = d.sync().await;
        assert_eq!(
            stats.records_rewritten, 2,
            "the view and the log: {stats:?}"
        );
    }
    for db in &dbs {
        for (what, needle) in [("phone", PHONE.as_bytes()), ("name", name)] {
            assert!(
                !file_holds(db, needle),
                "{} still holds the {what}",
                db.display()
            );
        }
    }
    let view: Customer = zhao.store.get(view_id(id)).unwrap();
    assert_eq!(
        view.decision_role,
        format!("{}拍板", fieldbook_sync_server::ERASED)
    );
    assert_eq!(view.name, "钻石集团", "the rest of the view stays");
    let after: DailyLog = li.store.get(log).unwrap();
    let e = &after.entries[0];
    assert_eq!(
        e.note,
        format!("与{0}深谈续约，手机{0}", fieldbook_sync_server::ERASED)
    );
    assert!(
        e.in_depth && e.customer_id == Some(id) && after.submitted_at.is_some(),
        "{after:?}"
    );
    assert_eq!(
        after.problems, "客户要求延期付款",
        "the rest of the log stays"
    );
}
