//! Issue 6 on a real server: each role holds exactly what it may see; a record leaving a
//! user's scope leaves their device; every line of the write rule table refuses what it
//! forbids, and nothing of a refused change reaches the server or other devices.
#![allow(clippy::unwrap_used, clippy::unit_arg)]

#[path = "../common/mod.rs"]
mod common;

mod cases;

use std::collections::{BTreeMap, BTreeSet};

use cases::cases;
use chrono::{TimeZone, Utc};
use common::{PEOPLE, World, user};
use fieldbook_core::access::{RULES, view_id};
use fieldbook_core::model::{
    Customer, CustomerGrade, ExpenseApplication, LeadReferral, ReceptionNote, ReturnVisitReport,
    VisitPlan,
};
use fieldbook_core::rules::{Action, customer};
use fieldbook_core::search::{SearchQuery, search};
use fieldbook_core::{DeviceStore, RecordId};
use fieldbook_sync_server::ServerStore;

async fn sync_all(w: &World) {
    for d in w.devices.values() {
        d.sync().await;
    }
}

fn held(store: &DeviceStore) -> BTreeSet<RecordId> {
    store.list(None).unwrap().iter().map(|s| s.id).collect()
}

/// The records of the table test, by label.
async fn records(w: &World) -> BTreeMap<&'static str, RecordId> {
    let li = &w.device("rep.li").store;
    let wang = &w.device("rep.wang").store;
    let zhao = &w.device("sup.zhao").store;
    let mkt = &w.device("mkt.sun").store;
    let mut out = BTreeMap::new();
    let customer = |name: &str| Customer {
        name: name.into(),
        grade: CustomerGrade::B,
        ..Customer::default()
    };
    out.insert("li customer B", li.create(customer("甲")).unwrap().meta.id);
    out.insert(
        "li lead",
        li.create(LeadReferral::default()).unwrap().meta.id,
    );
    let reception = ReceptionNote {
        host: user("rep.li"),
        ..ReceptionNote::default()
    };
    out.insert("li reception", li.create(reception).unwrap().meta.id);
    let report = ReturnVisitReport {
        rep: user("rep.li"),
        ..ReturnVisitReport::default()
    };
    out.insert("li report", li.create(report).unwrap().meta.id);
    let mut visit = VisitPlan {
        rep: user("rep.li"),
        ..VisitPlan::default()
    };
    visit.meta.owner = user("rep.li");
    out.insert("zhao's visit for li", zhao.create(visit).unwrap().meta.id);
    out.insert(
        "wang customer B",
        wang.create(customer("乙")).unwrap().meta.id,
    );
    out.insert(
        "wang lead",
        wang.create(LeadReferral::default()).unwrap().meta.id,
    );
    let mut a = Customer {
        grade: CustomerGrade::A,
        ..customer("丙")
    };
    a.meta.owner = user("rep.li");
    out.insert("A customer of li", mkt.create(a).unwrap().meta.id);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_holds_exactly_what_it_may_see() {
    let w = World::start().await;
    let ids = records(&w).await;
    sync_all(&w).await;
    sync_all(&w).await;
    let back = ["admin.zheng", "cs.zhou", "fin.wu", "mkt.sun"];
    let east: Vec<&str> = ["rep.li", "sup.zhao"].into_iter().chain(back).collect();
    let west: Vec<&str> = ["rep.wang", "sup.qian"].into_iter().chain(back).collect();
    // Seed 001 §3.6(4): customer files reach finance and admin only with a grant.
    let files = ["cs.zhou", "mkt.sun"];
    let east_files: Vec<&str> = ["rep.li", "sup.zhao"].into_iter().chain(files).collect();
    let west_files: Vec<&str> = ["rep.wang", "sup.qian"].into_iter().chain(files).collect();
    let table: [(&str, &[&str]); 9] = [
        ("li customer B", &east_files),
        ("li lead", &east),
        ("li reception", &east),
        ("li report", &east),
        ("zhao's visit for li", &east),
        ("wang customer B", &west_files),
        ("wang lead", &west),
        ("A customer of li", &["mkt.sun"]),
        // Its redacted view (issue 17, ADR 0013): the rep and her supervisor.
        ("view of the A customer", &["rep.li", "sup.zhao"]),
    ];
    let mut ids = ids;
    ids.insert("view of the A customer", view_id(ids["A customer of li"]));
    for (name, _, _) in PEOPLE {
        let want: BTreeSet<RecordId> = table
            .iter()
            .filter(|(_, who)| who.contains(&name))
            .map(|(label, _)| ids[label])
            .collect();
        assert_eq!(held(&w.device(name).store), want, "what {name} holds");
    }
    // Reads of customers by sync are in the access log.
    let log = w.store.access_log(Some(ids["li customer B"]), 100).unwrap();
    let readers: BTreeSet<&str> = log.iter().map(|e| e.user.as_str()).collect();
    assert!(
        readers.contains("sup.zhao") && readers.contains("cs.zhou"),
        "{readers:?}"
    );
    assert!(!readers.contains("rep.wang"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_that_leaves_a_scope_leaves_the_device_with_its_unsynced_edits() {
    // The server's clock agrees with the devices': the regrade's time is not back-dated.
    let w = World::start_at(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()).await;
    let li = w.device("rep.li");
    let zhao = w.device("sup.zhao");
    let c = Customer {
        name: "王府井百货".into(),
        ..Customer::default()
    };
    let c = li.store.create(c).unwrap().meta.id;
    li.sync().await;
    zhao.sync().await;
    assert!(zhao.store.contains(c).unwrap());
    // Offline, the rep adds a note; the supervisor upgrades the customer to A.
    li.store
        .update::<Customer>(c, |c| Ok(c.notes = "下周再访".into()))
        .unwrap();
    let act = Action::on(&zhao.store);
    zhao.store
        .update::<Customer>(c, |c| {
            customer::regrade(c, CustomerGrade::A, "年采购额过百万", &act)
        })
        .unwrap();
    let stats = zhao.sync().await;
    assert_eq!(stats.records_refused, 0, "{stats:?}");
    let stats = zhao.sync().await;
    assert_eq!(stats.records_withdrawn, 1, "{stats:?}");
    assert!(!zhao.store.contains(c).unwrap());
    // What stays is the redacted view (issue 17, ADR 0013).
    assert!(zhao.store.contains(view_id(c)).unwrap());
    let stats = li.sync().await;
    assert_eq!(stats.records_withdrawn, 1, "{stats:?}");
    assert_eq!(
        stats.withdrawn_with_unsynced_edits, 1,
        "the rep's note went with it"
    );
    assert!(!li.store.contains(c).unwrap());
    let hits = search(&li.store, &SearchQuery::new("王府井")).unwrap();
    assert!(
        hits.iter().all(|h| h.id == view_id(c)),
        "no search rows of the record remain, only its view's: {hits:?}"
    );
    let view: Customer = li.store.get(view_id(c)).unwrap();
    assert!(view.notes.is_empty() && view.grade == CustomerGrade::A);
    w.device("mkt.sun").sync().await;
    let seen: Customer = w.device("mkt.sun").store.get(c).unwrap();
    assert_eq!(seen.grade, CustomerGrade::A);
    // Nothing loops: a second round is quiet.
    let again = li.sync().await;
    assert!(again.frames_sent <= 2, "{again:?}");
}

/// A record of `kind` created by rep.li (a supervisor's visit for the visit case), synced.
async fn subject(w: &World, kind: &str) -> RecordId {
    let li = &w.device("rep.li").store;
    let id = match kind {
        "lead_referral" => {
            li.create(LeadReferral {
                prospect_key: "tel:+8613912345678".into(),
                prospect: fieldbook_core::model::Prospect {
                    phone: "+8613912345678".into(),
                    ..Default::default()
                },
                ..LeadReferral::default()
            })
            .unwrap()
            .meta
            .id
        }
        "visit_plan" => {
            let mut v = VisitPlan {
                rep: user("rep.li"),
                ..VisitPlan::default()
            };
            v.meta.owner = user("rep.li");
            w.device("sup.zhao").store.create(v).unwrap().meta.id
        }
        "return_visit_report" => {
            li.create(ReturnVisitReport {
                rep: user("rep.li"),
                ..ReturnVisitReport::default()
            })
            .unwrap()
            .meta
            .id
        }
        "daily_log" => {
            // One log per rep per day: each case's log is of another day.
            let kind = fieldbook_core::model::RecordKind::DailyLog;
            let earlier = li.list(Some(kind)).unwrap().len() as u64;
            let day =
                chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap() - chrono::Days::new(earlier);
            let log = fieldbook_core::rules::daily_log::new_log(&user("rep.li"), day);
            li.create(log).unwrap().meta.id
        }
        "reception_note" => {
            let id = li
                .create(ReceptionNote {
                    host: user("rep.li"),
                    ..ReceptionNote::default()
                })
                .unwrap()
                .meta
                .id;
            // The expense through its rule (the applicant asks; the approvers set the budget).
            // Several subjects in one company: this case's only, the monthly limit aside.
            let expense = ExpenseApplication {
                amount_fen: 80_000,
                purpose: "午餐 / lunch".into(),
                applied_by: user("rep.li"),
                applied_at: li.clock().now(),
                ..ExpenseApplication::default()
            };
            li.update::<ReceptionNote>(id, |n| {
                n.expense = Some(expense);
                Ok(())
            })
            .unwrap();
            id
        }
        _ => li.create(Customer::default()).unwrap().meta.id,
    };
    // The creator first, then everyone (devices sync in name order).
    w.device("rep.li").sync().await;
    w.device("sup.zhao").sync().await;
    for d in w.devices.values() {
        d.sync().await;
    }
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rule_in_the_table_refuses_what_it_forbids_and_nothing_spreads() {
    let cases = cases();
    for rule in RULES {
        let covered = cases.iter().any(|(kind, path, _, _)| {
            *path == rule.path
                && rule.kind.is_none_or(|k| k == *kind)
                && (rule.kind.is_some() || *kind == "*")
        });
        assert!(covered, "rule {rule:?} has a test case");
    }
    let w = World::start_at(device_time()).await;
    for (kind, path, who, edit) in &cases {
        eprintln!("case: {kind} {path} by {who}");
        let kind_of_record = if *kind == "*" { "customer" } else { kind };
        let id = subject(&w, kind_of_record).await;
        let device = w.device(who);
        let server_before = w
            .store
            .list_docs()
            .unwrap()
            .into_iter()
            .find(|d| d.id == id)
            .unwrap();
        let witness = w.device("sup.zhao");
        let witness_before = witness.store.get_json(id).unwrap();
        edit(&device.store, id);
        let stats = device.sync().await;
        assert_eq!(
            stats.records_refused, 1,
            "{kind} {path} by {who}: {stats:?}"
        );
        let refusals = device.store.refusals().unwrap();
        let refusal = refusals.iter().find(|r| r.record == id).unwrap();
        assert!(
            refusal.reason.contains(&id.to_string()),
            "{}",
            refusal.reason
        );
        let server_after = w
            .store
            .list_docs()
            .unwrap()
            .into_iter()
            .find(|d| d.id == id)
            .unwrap();
        assert_eq!(
            server_after.heads_key, server_before.heads_key,
            "{path}: nothing stored"
        );
        witness.sync().await;
        assert_eq!(
            witness.store.get_json(id).unwrap(),
            witness_before,
            "{path}: nothing forwarded"
        );
        // The refused edit is not resent; discarding it brings the device back to the server.
        let quiet = device.sync().await;
        assert_eq!(quiet.records_refused, 0, "{path}: no loop {quiet:?}");
        device.store.discard_unsynced(id, "server").unwrap();
        assert!(
            device
                .store
                .refusals()
                .unwrap()
                .iter()
                .all(|r| r.record != id)
        );
        device.sync().await;
        assert_eq!(
            device.store.get_json(id).unwrap(),
            witness.store.get_json(id).unwrap(),
            "{path}"
        );
    }
}

/// The devices' clock; the server's stands at the same time, so the times devices claim
/// (an expense applied for) are honest.
fn device_time() -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}
