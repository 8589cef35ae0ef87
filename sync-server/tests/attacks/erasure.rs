//! Finding 9: erasure covered one record, not the person. One person stands in every kind of
//! record (a customer's contact and its notes, a lead's prospect and follow-ups, a reception's
//! visitors and notes, a return-visit report's texts and review, a visit plan's details, a daily
//! log's entry, an A-grade customer's fields its view keeps); after
//! an eraser names the person (name, phone, e-mail) and the phones sync, no byte of the name,
//! the phone in any written form, its pinyin or the e-mail is left in any file of the server or
//! of any device (main database, `-wal`, `-shm`), and everything else of those records is
//! still there. The erased leads' prospect key is a keyed digest under the server's secret. A
//! rep may not erase: refused, nothing changed.

use std::path::{Path, PathBuf};

use chrono::TimeZone;
use fieldbook_core::RecordId;
use fieldbook_core::model::{
    Consent, Contact, Customer, CustomerGrade, DailyLog, FollowUp, LeadReferral, LeadSource,
    LogEntry, Proposal, Prospect, ReceptionNote, Reschedule, ReturnVisitReport, VisitPlan,
};
use fieldbook_core::rules::lead::register;
use fieldbook_core::rules::{Action, return_visit};
use fieldbook_sync_server::{ERASED, ERASURE_SECRET, ServerStore};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::common::{PEOPLE, World, daily_log_on, user};

const NAME: &str = "欧阳明珠";
const PINYIN: &str = "ouyangmingzhu";
const PHONE: &str = "13987654321";
const EMAIL: &str = "mingzhu.ouyang@example.cn";
/// The other ways the phone is written in the records below.
const PHONE_FORMS: [&str; 3] = ["139 8765 4321", "139-8765-4321", "8613987654321"];

/// What the person may not leave behind anywhere.
fn traces() -> Vec<&'static str> {
    [NAME, PINYIN, PHONE, EMAIL]
        .into_iter()
        .chain(PHONE_FORMS)
        .collect()
}

/// How many times `needle` stands in the raw bytes of `path`.
fn count_in_file(path: &Path, needle: &[u8]) -> usize {
    std::fs::read(path).map_or(0, |bytes| {
        bytes.windows(needle.len()).filter(|w| *w == needle).count()
    })
}

/// Every trace found in a SQLite database's files (main, `-wal`, `-shm`): (file, trace, count).
fn traces_in(db: &Path) -> Vec<(String, &'static str, usize)> {
    let files = ["", "-wal", "-shm"].map(|suffix| format!("{}{suffix}", db.display()));
    traces_in_files(files.iter().map(Path::new))
}

fn traces_in_files<'a>(
    files: impl Iterator<Item = &'a Path>,
) -> Vec<(String, &'static str, usize)> {
    let mut found = Vec::new();
    for file in files {
        for trace in traces() {
            let n = count_in_file(file, trace.as_bytes());
            if n > 0 {
                found.push((file.display().to_string(), trace, n));
            }
        }
    }
    found
}

/// Every file of the world: the server's database and every device's, with their `-wal` and
/// `-shm` files.
fn every_file(w: &World) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(w.dir.path()).unwrap();
    let files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    let databases = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "sqlite3"));
    assert_eq!(databases.count(), 1 + PEOPLE.len(), "{files:?}");
    files
}

/// The database file of `name`'s device.
fn device_db(w: &World, name: &str) -> PathBuf {
    let n = PEOPLE.iter().position(|(p, _, _)| *p == name).unwrap() + 1;
    w.dir.path().join(format!("{name}-{n}.sqlite3"))
}

/// The person's customer, with another contact who must stay.
fn customer() -> Customer {
    let contact = |id: &str, name: &str, mobile: &str, email: &str| Contact {
        id: id.into(),
        name: name.into(),
        title: "采购经理".into(),
        mobile: mobile.into(),
        email: email.into(),
        consent: Some(Consent {
            channel: "展会登记表 / trade-show form".into(),
            purpose: "回访与报价 / follow-up and quotes".into(),
            ..Consent::default()
        }),
        ..Contact::default()
    };
    Customer {
        name: "华东机械".into(),
        contacts: vec![
            contact("c1", NAME, PHONE, EMAIL),
            contact("c2", "钱七", "13800138000", "qian@example.cn"),
        ],
        notes: format!("{NAME}喜欢周五上午回访，手机 139 8765 4321"),
        ..Customer::default()
    }
}

fn lead(customer: RecordId) -> LeadReferral {
    LeadReferral {
        source: LeadSource::Phone,
        customer_id: Some(customer),
        prospect: Prospect {
            name: NAME.into(),
            company: "华东机械".into(),
            phone: "+86 139-8765-4321".into(),
            email: EMAIL.into(),
            needs: "两台数控机床".into(),
        },
        follow_ups: vec![FollowUp {
            id: "f1".into(),
            said: format!("{NAME}说下周再谈，邮件 {EMAIL}"),
            next_step: format!("周一打 {PHONE}"),
            ..FollowUp::default()
        }],
        ..LeadReferral::default()
    }
}

fn reception(customer: RecordId) -> ReceptionNote {
    ReceptionNote {
        customer_id: Some(customer),
        host: user("rep.li"),
        visitor_names: vec![NAME.into(), "钱七".into()],
        head_count: 2,
        purpose: "参观工厂".into(),
        notes: format!("{NAME}来访，手机{PHONE}，需要停车位"),
        ..ReceptionNote::default()
    }
}

fn report(customer: RecordId) -> ReturnVisitReport {
    ReturnVisitReport {
        customer_id: Some(customer),
        rep: user("rep.li"),
        visited_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 22),
        place: "客户工厂".into(),
        purpose: "季度回访".into(),
        needs: format!("{NAME}需要新报价"),
        after_sales_opinions: format!("售后满意；{NAME}的邮箱 {EMAIL}"),
        proposals: vec![Proposal {
            id: "p1".into(),
            text: format!("{NAME}建议延长保修"),
            ..Proposal::default()
        }],
        ..ReturnVisitReport::default()
    }
}

fn resched_to() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2026, 11, 25, 2, 0, 0).unwrap()
}

fn plan(customer: RecordId) -> VisitPlan {
    let mut v = VisitPlan {
        customer_id: Some(customer),
        rep: user("rep.li"),
        purpose: format!("回访{NAME}"),
        place: "华东机械三楼会议室".into(),
        materials: vec![format!("{NAME}的服务记录"), "报价单".into()],
        scheduled_at: Some(resched_to()),
        reschedules: vec![Reschedule {
            id: "r1".into(),
            to: resched_to(),
            consent_at: chrono::Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
            consent_by: format!("{NAME}（电话 {PHONE}）"),
            reason: "客户出差".into(),
            by: user("rep.li"),
            ..Reschedule::default()
        }],
        ..VisitPlan::default()
    };
    v.meta.owner = user("rep.li");
    v
}

/// Every record the person stands in, by kind; all synced to every device.
async fn the_persons_records(w: &World) -> Vec<(&'static str, RecordId)> {
    let li = &w.device("rep.li").store;
    let c = li.create(customer()).unwrap().meta.id;
    let l = register(li, lead(c)).unwrap().meta.id;
    // The same person registered again by another rep (it loses to li's: ADR 0003).
    let wang_lead = register(&w.device("rep.wang").store, lead(c))
        .unwrap()
        .meta
        .id;
    let r = li.create(reception(c)).unwrap().meta.id;
    let rv = li.create(report(c)).unwrap().meta.id;
    // Filed by the rep, then reviewed by her supervisor (the legal path, seed 001 §7).
    let filing = Action::on(li);
    li.update::<ReturnVisitReport>(rv, |r| return_visit::file(r, &filing))
        .unwrap();
    let p = li.create(plan(c)).unwrap().meta.id;
    let dl = daily_log_on(w.device("rep.li"), day(), vec![log_entry(c)], true);
    // Her A-grade customer: rep.li and her supervisor hold its view (ADR 0013).
    w.device("mkt.sun").store.create(a_grade()).unwrap();
    sync_all(w).await;
    let zhao = &w.device("sup.zhao").store;
    let review = Action::on(zhao);
    zhao.update::<ReturnVisitReport>(rv, |r| {
        return_visit::review(r, &format!("下次带样品给{NAME}"), &review)
    })
    .unwrap();
    sync_all(w).await;
    vec![
        ("customer", c),
        ("lead", l),
        ("lead registered again", wang_lead),
        ("reception", r),
        ("report", rv),
        ("plan", p),
        ("daily log", dl),
    ]
}

fn day() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

/// A visit to her customer in rep.li's daily log (seed 003).
fn log_entry(customer: RecordId) -> LogEntry {
    LogEntry {
        customer_id: Some(customer),
        in_depth: true,
        note: format!("与{NAME}深谈续约，手机 {PHONE}"),
        ..LogEntry::default()
    }
}

/// An A-grade customer whose view keeps her name and phone (the decision role, the address):
/// the view must be rewritten with its customer, wherever the erasure reaches it first.
fn a_grade() -> Customer {
    let mut c = Customer {
        name: "钻石集团".into(),
        grade: CustomerGrade::A,
        decision_role: format!("{NAME}拍板"),
        address: "上海市浦东新区 电话 139-8765-4321".into(),
        ..Customer::default()
    };
    c.meta.owner = user("rep.li");
    c
}

async fn sync_all(w: &World) {
    for d in w.devices.values() {
        let r = d.sync().await;
        assert_eq!(r.records_refused, 0, "{:?}", d.store.refusals());
    }
    // Records created by one device reach the others on their next round.
    for d in w.devices.values() {
        let r = d.sync().await;
        assert_eq!(r.records_refused, 0, "{:?}", d.store.refusals());
    }
}

async fn erase_request(w: &World, as_user: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(w.http("/api/v1/privacy/erase"))
        .bearer_auth(&w.device(as_user).token)
        .json(&json!({"person": {"name": NAME, "phones": ["139 8765 4321"], "emails": [EMAIL]}}))
        .send()
        .await
        .unwrap()
}

fn stored_heads(w: &World) -> Vec<(RecordId, String)> {
    let docs = w.store.list_docs().unwrap();
    docs.into_iter().map(|d| (d.id, d.heads_key)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_erased_by_name_phone_and_email_leaves_no_byte_on_the_server_or_any_device() {
    let w = World::start_at(crate::common::phones_now()).await;
    let records = the_persons_records(&w).await;
    let server_db = w.dir.path().join("server.sqlite3");
    for db in [
        server_db.clone(),
        device_db(&w, "rep.li"),
        device_db(&w, "sup.zhao"),
    ] {
        let found = traces_in(&db);
        for trace in [NAME, PHONE, EMAIL] {
            assert!(
                found.iter().any(|(_, t, _)| *t == trace),
                "sanity: {} holds {trace} before",
                db.display()
            );
        }
    }

    let response = erase_request(&w, "cs.zhou").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    let erased: Vec<String> = serde_json::from_value(body["erased"].clone()).unwrap();
    for (what, id) in &records {
        assert!(erased.contains(&id.to_string()), "{what} erased: {body}");
    }
    for d in w.devices.values() {
        d.sync().await;
    }

    // The rep whose registration lost at once (ADR 0003) was told to drop his copy too.
    let wang_lead = records[2].1;
    assert!(!w.device("rep.wang").store.contains(wang_lead).unwrap());
    let files = every_file(&w);
    assert_eq!(traces_in_files(files.iter().map(PathBuf::as_path)), vec![]);
    everything_else_survives(&w, &records);
    the_erasure_is_logged_without_the_persons_data(&w, &records).await;
    an_erased_record_can_still_be_edited(&w, &records).await;
}

/// The rewritten records still match their models: the server takes the next edit of each.
async fn an_erased_record_can_still_be_edited(w: &World, records: &[(&str, RecordId)]) {
    let li = w.device("rep.li");
    let customer = records.iter().find(|(w, _)| *w == "customer").unwrap().1;
    li.store
        .update::<Customer>(customer, |c| {
            c.notes = "二次回访 / second visit".into();
            Ok(())
        })
        .unwrap();
    let stats = li.sync().await;
    assert_eq!(stats.records_refused, 0, "{stats:?}");
    let zhao = w.device("sup.zhao");
    zhao.sync().await;
    let seen: Customer = zhao.store.get(customer).unwrap();
    assert_eq!(seen.notes, "二次回访 / second visit");
}

/// The rest of each record is as it was, on the server and on a phone.
fn everything_else_survives(w: &World, records: &[(&str, RecordId)]) {
    let li = &w.device("rep.li").store;
    let id = |what: &str| records.iter().find(|(w, _)| *w == what).unwrap().1;
    let c: Customer = li.get(id("customer")).unwrap();
    assert_eq!(c.name, "华东机械");
    assert_eq!(
        (c.contacts[0].name.as_str(), c.contacts[0].mobile.as_str()),
        (ERASED, "")
    );
    assert!(
        c.contacts[0]
            .consent
            .as_ref()
            .unwrap()
            .withdrawn_at
            .is_some()
    );
    assert_eq!(c.contacts[1].name, "钱七");
    assert_eq!(c.contacts[1].mobile, "13800138000");
    assert_eq!(c.notes, format!("{ERASED}喜欢周五上午回访，手机 {ERASED}"));
    let l: LeadReferral = li.get(id("lead")).unwrap();
    assert_eq!(l.prospect.company, "华东机械");
    assert_eq!(l.prospect.needs, "两台数控机床");
    assert!(l.code.starts_with("XS-"));
    assert_eq!(l.follow_ups[0].next_step, format!("周一打 {ERASED}"));
    let r: ReceptionNote = li.get(id("reception")).unwrap();
    assert_eq!(r.visitor_names, vec![ERASED.to_owned(), "钱七".to_owned()]);
    assert_eq!(r.purpose, "参观工厂");
    assert_eq!(r.head_count, 2);
    assert_eq!(r.notes, format!("{ERASED}来访，手机{ERASED}，需要停车位"));
    let rv: ReturnVisitReport = li.get(id("report")).unwrap();
    assert_eq!(rv.place, "客户工厂");
    assert_eq!(rv.proposals[0].text, format!("{ERASED}建议延长保修"));
    assert_eq!(rv.review.unwrap().guidance, format!("下次带样品给{ERASED}"));
    let p: VisitPlan = li.get(id("plan")).unwrap();
    assert_eq!(p.place, "华东机械三楼会议室");
    assert_eq!(p.materials[1], "报价单");
    assert_eq!(p.reschedules[0].reason, "客户出差");
    assert_eq!(p.rep, user("rep.li"));
    let dl: DailyLog = li.get(id("daily log")).unwrap();
    let e = &dl.entries[0];
    assert_eq!(e.note, format!("与{ERASED}深谈续约，手机 {ERASED}"));
    assert!(e.in_depth && e.customer_id == Some(id("customer")));
    assert_eq!((dl.rep.as_str(), dl.day), ("rep.li", Some(day())));
    assert!(dl.submitted_at.is_some(), "its points and lateness stay");
    let customers: Vec<Customer> = li.read_projected(&Default::default()).unwrap();
    let view = customers.iter().find(|c| c.name == "钻石集团").unwrap();
    assert_eq!(view.decision_role, format!("{ERASED}拍板"));
}

async fn the_erasure_is_logged_without_the_persons_data(w: &World, records: &[(&str, RecordId)]) {
    for (what, id) in records {
        let log = w.store.access_log(Some(*id), 50).unwrap();
        assert!(
            log.iter()
                .any(|e| e.action == "erase" && e.user == user("cs.zhou")),
            "{what}: {log:?}"
        );
    }
    let log = reqwest::Client::new()
        .get(w.http("/api/v1/admin/access-log?limit=1000"))
        .bearer_auth(&w.device("admin.zheng").token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(log.contains("\"erase\""));
    for trace in traces() {
        assert!(!log.contains(trace), "the log holds {trace}");
    }
}

fn hmac_hex(secret: &[u8; 32], prospect_key: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    mac.update(b"fieldbook/erased-prospect-key/v1\0");
    mac.update(prospect_key.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_erased_prospect_key_is_a_digest_under_the_servers_secret() {
    let w = World::start_at(crate::common::phones_now()).await;
    let records = the_persons_records(&w).await;
    assert_eq!(erase_request(&w, "mkt.sun").await.status(), 200);
    let key_of = |id: RecordId| {
        let json = fieldbook_core::RecordDoc::load(
            id,
            &w.store.load_doc(id).unwrap().unwrap(),
            automerge::ActorId::random(),
        )
        .unwrap()
        .to_json();
        json["prospect_key"].as_str().unwrap().to_owned()
    };
    let mine = key_of(records[1].1);
    let again = key_of(records[2].1);
    assert_eq!(
        mine, again,
        "one person, one digest: the ownership group stays"
    );
    // The secret was made once for this deployment; any later ask returns the same one.
    let secret = w.store.server_secret(ERASURE_SECRET, &[0; 32]).unwrap();
    assert_ne!(secret, [0; 32]);
    let key = "tel:+8613987654321";
    assert_eq!(mine, format!("erased:{}", hmac_hex(&secret, key)));
    for bare in [key, "+8613987654321", PHONE] {
        let sha = hex::encode(Sha256::digest(bare.as_bytes()));
        assert!(!mine.contains(&sha), "not a bare SHA-256 of {bare}");
    }
    assert_ne!(mine, format!("erased:{}", hmac_hex(&[1; 32], key)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_may_not_erase_a_person_and_nothing_changes() {
    let w = World::start_at(crate::common::phones_now()).await;
    let records = the_persons_records(&w).await;
    let before = stored_heads(&w);
    let server_db = w.dir.path().join("server.sqlite3");
    let holds_before = traces_in(&server_db).len();
    for rep in ["rep.li", "sup.zhao", "fin.wu"] {
        let response = erase_request(&w, rep).await;
        assert_eq!(response.status(), 403, "{rep}");
        let error = response.text().await.unwrap();
        assert!(
            error.contains("只有营销、客服经理或管理员") && error.contains("only a marketing"),
            "bilingual: {error}"
        );
    }
    // An eraser's dry run names the records and changes nothing either.
    let dry = reqwest::Client::new()
        .post(w.http("/api/v1/privacy/erase"))
        .bearer_auth(&w.device("cs.zhou").token)
        .json(&json!({"person": {"phones": [PHONE]}, "dry_run": true}))
        .send()
        .await
        .unwrap();
    let dry: serde_json::Value = dry.json().await.unwrap();
    let listed: Vec<String> = serde_json::from_value(dry["erased"].clone()).unwrap();
    for (what, id) in &records {
        // The report names her by name and e-mail only, not by phone.
        let expected = *what != "report";
        assert_eq!(listed.contains(&id.to_string()), expected, "{what}: {dry}");
    }
    assert_eq!(stored_heads(&w), before, "no record rewritten");
    assert_eq!(traces_in(&server_db).len(), holds_before);
    assert!(holds_before > 0);
    for (what, id) in &records {
        let log = w.store.access_log(Some(*id), 50).unwrap();
        assert!(!log.iter().any(|e| e.action == "erase"), "{what}");
    }
}
