//! The device store through its public API, on real SQLite files.
#![allow(clippy::unit_arg, clippy::unwrap_used)] // tests: `|c| Ok(c.field = value)` is the shortest edit.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use fieldbook_core::model::*;
use fieldbook_core::store::schema;
use fieldbook_core::*;
use serde_json::json;

fn options(device: u8, user: &str) -> StoreOptions {
    let mut o = StoreOptions::new(
        DeviceId::from_random_bytes([device; 16]),
        UserId::new(user).unwrap(),
    );
    o.clock = Arc::new(FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
    ));
    o.entropy = Arc::new(SeededEntropy::new(u64::from(device)));
    o
}

fn customer() -> Customer {
    Customer {
        name: "张伟".into(),
        company: "华东机械".into(),
        grade: CustomerGrade::B,
        contacts: vec![Contact {
            id: "c1".into(),
            name: "王芳".into(),
            mobile: "13800138000".into(),
            ..Contact::default()
        }],
        ..Customer::default()
    }
}

#[test]
fn every_kind_is_created_edited_and_read_back_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.sqlite3");
    let ids = {
        let store = DeviceStore::open(&path, options(1, "rep.li")).unwrap();
        let c = store.create(customer()).unwrap();
        let v = store
            .create(VisitPlan {
                customer_id: Some(c.meta.id),
                purpose: "季度回访".into(),
                place: "客户总部".into(),
                scheduled_at: Some(store.clock().now() + chrono::TimeDelta::days(3)),
                ..VisitPlan::default()
            })
            .unwrap();
        let r = store
            .create(ReceptionNote {
                purpose: "参观工厂".into(),
                head_count: 3,
                ..ReceptionNote::default()
            })
            .unwrap();
        let rv = store
            .create(ReturnVisitReport {
                purpose: "售后满意度".into(),
                ..ReturnVisitReport::default()
            })
            .unwrap();
        let l = store
            .create(LeadReferral {
                code: "L-0001".into(),
                prospect: Prospect {
                    name: "刘强".into(),
                    ..Prospect::default()
                },
                ..LeadReferral::default()
            })
            .unwrap();
        let act = rules::Action::on(&store);
        store
            .update::<Customer>(c.meta.id, |c| {
                rules::customer::regrade(c, CustomerGrade::A, "年采购额过百万", &act)
            })
            .unwrap();
        store
            .update::<VisitPlan>(v.meta.id, |v| {
                let act = fieldbook_core::rules::Action::on(&store);
                fieldbook_core::rules::visit_plan::invite(v, InvitationMethod::Phone, &act)
            })
            .unwrap();
        store
            .update::<ReceptionNote>(r.meta.id, |r| Ok(r.meals = "午餐".into()))
            .unwrap();
        store
            .update::<ReturnVisitReport>(rv.meta.id, |r| Ok(r.needs = "增加备件".into()))
            .unwrap();
        store
            .update::<LeadReferral>(l.meta.id, |l| Ok(l.grade = LeadGrade::H))
            .unwrap();
        [c.meta.id, v.meta.id, r.meta.id, rv.meta.id, l.meta.id]
    };
    let store = DeviceStore::open(&path, options(1, "rep.li")).unwrap();
    let c: Customer = store.get(ids[0]).unwrap();
    assert_eq!(
        (c.grade, c.contacts[0].mobile.as_str()),
        (CustomerGrade::A, "13800138000")
    );
    assert_eq!(c.meta.created_by.as_str(), "rep.li");
    assert_eq!(
        store.get::<VisitPlan>(ids[1]).unwrap().status,
        VisitStatus::Invited
    );
    assert_eq!(store.get::<ReceptionNote>(ids[2]).unwrap().meals, "午餐");
    assert_eq!(
        store.get::<ReturnVisitReport>(ids[3]).unwrap().needs,
        "增加备件"
    );
    assert_eq!(
        store.get::<LeadReferral>(ids[4]).unwrap().grade,
        LeadGrade::H
    );
    let listed = store.list(None).unwrap();
    assert_eq!(listed.len(), 5);
    let lead = listed.iter().find(|s| s.id == ids[4]).unwrap();
    assert_eq!(
        (lead.kind.clone(), lead.grade.as_deref()),
        (RecordKind::LeadReferral, Some("H"))
    );
}

#[test]
fn two_devices_converge_and_show_the_same_field_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let a = DeviceStore::open(dir.path().join("a.sqlite3"), options(1, "rep.li")).unwrap();
    let b = DeviceStore::open(dir.path().join("b.sqlite3"), options(2, "rep.wang")).unwrap();
    let id = a.create(customer()).unwrap().meta.id;
    b.import_changes(id, &a.export_changes(id, &[]).unwrap())
        .unwrap();
    // Offline: different fields, and one same field.
    a.update::<Customer>(id, |c| Ok(c.region = "上海".into()))
        .unwrap();
    let (act_a, act_b) = (rules::Action::on(&a), rules::Action::on(&b));
    a.update::<Customer>(id, |c| {
        rules::customer::regrade(c, CustomerGrade::A, "扩产", &act_a)
    })
    .unwrap();
    b.update::<Customer>(id, |c| Ok(c.industry = "制造业".into()))
        .unwrap();
    b.update::<Customer>(id, |c| {
        rules::customer::regrade(c, CustomerGrade::C, "停产", &act_b)
    })
    .unwrap();
    let (ha, hb) = (a.heads(id).unwrap(), b.heads(id).unwrap());
    let from_a = a.export_changes(id, &hb).unwrap();
    let from_b = b.export_changes(id, &ha).unwrap();
    assert!(b.import_changes(id, &from_a).unwrap());
    assert!(a.import_changes(id, &from_b).unwrap());
    assert!(
        !a.import_changes(id, &from_b).unwrap(),
        "a replayed message changes nothing"
    );

    let (ca, cb): (Customer, Customer) = (a.get(id).unwrap(), b.get(id).unwrap());
    assert_eq!(ca, cb);
    assert_eq!(
        (ca.region.as_str(), ca.industry.as_str()),
        ("上海", "制造业")
    );
    let conflicts = a.conflicts(id).unwrap();
    assert_eq!(conflicts, b.conflicts(id).unwrap());
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].path, "/grade");
    assert_eq!(
        a.records_with_conflicts().unwrap().len(),
        1,
        "the projection counts it"
    );
    a.resolve_conflict(id, "/grade", &json!("A")).unwrap();
    assert!(a.records_with_conflicts().unwrap().is_empty());
}

#[test]
fn a_corrupt_document_names_its_record_and_spares_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.sqlite3");
    let store = DeviceStore::open(&path, options(1, "rep.li")).unwrap();
    let good = store.create(customer()).unwrap().meta.id;
    let bad = store.create(customer()).unwrap().meta.id;
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "UPDATE chunks SET data = substr(data, 1, length(data) / 2) WHERE record_id = ?1",
        [bad.to_string()],
    )
    .unwrap();
    drop(conn);
    let store = DeviceStore::open(&path, options(1, "rep.li")).unwrap();
    match store.get::<Customer>(bad) {
        Err(Error::CorruptRecord { id, .. }) => assert_eq!(id, bad),
        other => panic!("expected a corrupt-record error, got {other:?}"),
    }
    assert_eq!(store.get::<Customer>(good).unwrap().name, "张伟");
    assert_eq!(
        store.list(None).unwrap().len(),
        2,
        "nothing is silently dropped"
    );
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.sqlite3");
    drop(DeviceStore::open(&path, options(1, "rep.li")).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", schema::LATEST + 1)
        .unwrap();
    drop(conn);
    match DeviceStore::open(&path, options(1, "rep.li")) {
        Err(Error::SchemaTooNew { found, supported }) => {
            assert_eq!((found, supported), (schema::LATEST + 1, schema::LATEST));
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}

#[test]
fn a_database_of_another_device_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.sqlite3");
    drop(DeviceStore::open(&path, options(1, "rep.li")).unwrap());
    assert!(matches!(
        DeviceStore::open(&path, options(2, "rep.li")),
        Err(Error::InvalidInput { .. })
    ));
}

#[test]
fn every_frozen_older_schema_upgrades_with_its_data() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for version in 1..schema::LATEST {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.sqlite3");
        let sql = std::fs::read_to_string(fixtures.join(format!("schema_v{version}.sql")))
            .unwrap_or_else(|e| panic!("frozen schema v{version} is missing: {e}"));
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&sql).unwrap();
        drop(conn);
        let device: DeviceId = "5f1e3d2c4b5a69788796a5b4c3d2e1f0".parse().unwrap();
        let mut o = options(1, "rep.li");
        o.device = device;
        let store = DeviceStore::open(&path, o).unwrap();
        let listed = store.list(Some(RecordKind::Customer)).unwrap();
        assert_eq!(listed.len(), 1, "v{version}: the customer is still listed");
        let c: Customer = store.get(listed[0].id).unwrap();
        assert_eq!(c.name, "张伟", "v{version}: the document still reads");
        let hits =
            fieldbook_core::search::search(&store, &fieldbook_core::search::SearchQuery::new("zw"))
                .unwrap();
        assert_eq!(
            hits.len(),
            1,
            "v{version}: the old record is searchable after the upgrade"
        );
        store
            .update::<Customer>(c.meta.id, |c| Ok(c.notes = "升级后编辑".into()))
            .unwrap();
        assert_eq!(listed[0].conflicts, 0);
    }
}

#[test]
fn compaction_folds_the_log_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("device.sqlite3");
    let mut o = options(1, "rep.li");
    o.compact_after_chunks = 1000;
    let store = DeviceStore::open(&path, o).unwrap();
    let id = store.create(customer()).unwrap().meta.id;
    for i in 0..50 {
        store
            .update::<Customer>(id, |c| Ok(c.notes = format!("第{i}次拜访")))
            .unwrap();
    }
    assert_eq!(store.stats().unwrap().chunks, 51);
    assert_eq!(store.compact_pending(10).unwrap(), 1);
    assert_eq!(store.stats().unwrap().chunks, 1);
    store.clear_cache();
    assert_eq!(store.get::<Customer>(id).unwrap().notes, "第49次拜访");
}

#[test]
fn the_log_is_compacted_on_a_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(1, "rep.li");
    o.compact_after_chunks = 8;
    let store = DeviceStore::open(dir.path().join("d.sqlite3"), o).unwrap();
    let id = store.create(customer()).unwrap().meta.id;
    for i in 0..40 {
        store
            .update::<Customer>(id, |c| Ok(c.notes = format!("{i}")))
            .unwrap();
    }
    assert!(store.stats().unwrap().chunks <= 9);
    store.clear_cache();
    assert_eq!(store.get::<Customer>(id).unwrap().notes, "39");
}

#[test]
fn an_unknown_record_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let store = DeviceStore::open(dir.path().join("d.sqlite3"), options(1, "rep.li")).unwrap();
    let id = RecordId::from_random_bytes([5; 16]);
    assert!(matches!(store.get::<Customer>(id), Err(Error::NotFound(x)) if x == id));
    assert!(matches!(
        store.update::<Customer>(id, |_| Ok(())),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn a_failed_edit_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = DeviceStore::open(dir.path().join("d.sqlite3"), options(1, "rep.li")).unwrap();
    let id = store.create(customer()).unwrap().meta.id;
    let heads = store.heads(id).unwrap();
    let refused = store.update::<Customer>(id, |c| {
        c.name = "改了一半".into();
        Err(Error::InvalidInput {
            field: "mobile".into(),
            message: "bad".into(),
        })
    });
    assert!(refused.is_err());
    assert_eq!(store.heads(id).unwrap(), heads);
    assert_eq!(store.get::<Customer>(id).unwrap().name, "张伟");
}
