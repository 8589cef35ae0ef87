#![allow(clippy::unit_arg)] // `|c| Ok(c.field = value)` is the shortest edit.

use automerge::ActorId;
use serde_json::json;

use super::*;
use crate::ids::{DeviceId, UserId};
use crate::model::{Contact, Customer, CustomerGrade, FollowUp, LeadReferral, StringEnum};

fn actor(n: u8) -> ActorId {
    DeviceId::from_random_bytes([n; 16]).actor(1)
}

fn customer() -> Customer {
    let mut c = Customer {
        name: "张伟".into(),
        company: "华东机械有限公司".into(),
        grade: CustomerGrade::B,
        ..Customer::default()
    };
    c.meta.id = RecordId::from_random_bytes([9; 16]);
    c.meta.owner = UserId::new("rep.li").unwrap_or_default();
    c
}

/// Two replicas of one new record, as two devices hold it after a first sync.
fn two_replicas<R: Record>(record: &R) -> (RecordDoc, RecordDoc) {
    let mut a = RecordDoc::create(record, actor(1)).unwrap();
    let bytes = a.save();
    let b = RecordDoc::load(record.meta().id, &bytes, actor(2)).unwrap();
    (a, b)
}

fn exchange(a: &mut RecordDoc, b: &mut RecordDoc) {
    let from_a = a.save_after(&[]);
    let from_b = b.save_after(&[]);
    a.apply_chunk(&from_b).unwrap();
    b.apply_chunk(&from_a).unwrap();
}

#[test]
fn a_record_reads_back_as_written() {
    let c = customer();
    let doc = RecordDoc::create(&c, actor(1)).unwrap();
    assert_eq!(doc.read::<Customer>().unwrap(), c);
    assert_eq!(doc.kind(), Some(RecordKind::Customer));
    assert_eq!(doc.schema_version(), Some(SCHEMA_VERSION));
}

#[test]
fn reading_as_another_kind_is_refused() {
    let doc = RecordDoc::create(&customer(), actor(1)).unwrap();
    assert!(matches!(
        doc.read::<LeadReferral>(),
        Err(Error::WrongKind { .. })
    ));
}

#[test]
fn concurrent_edits_to_different_fields_both_survive() {
    let (mut a, mut b) = two_replicas(&customer());
    a.update::<Customer>(|c| Ok(c.region = "上海".into()))
        .unwrap();
    b.update::<Customer>(|c| Ok(c.industry = "制造业".into()))
        .unwrap();
    exchange(&mut a, &mut b);
    let (ra, rb) = (a.read::<Customer>().unwrap(), b.read::<Customer>().unwrap());
    assert_eq!(ra, rb);
    assert_eq!(
        (ra.region.as_str(), ra.industry.as_str()),
        ("上海", "制造业")
    );
    assert!(a.conflicts().is_empty());
}

#[test]
fn a_same_field_conflict_has_one_winner_and_keeps_the_loser_readable() {
    let (mut a, mut b) = two_replicas(&customer());
    a.update::<Customer>(|c| Ok(c.grade = CustomerGrade::A))
        .unwrap();
    b.update::<Customer>(|c| Ok(c.grade = CustomerGrade::C))
        .unwrap();
    exchange(&mut a, &mut b);
    let shown = a.read::<Customer>().unwrap().grade;
    assert_eq!(shown, b.read::<Customer>().unwrap().grade);
    let conflicts = a.conflicts();
    assert_eq!(conflicts, b.conflicts());
    assert_eq!(conflicts.len(), 1);
    let c = &conflicts[0];
    assert_eq!(c.path, "/grade");
    assert_eq!(c.winner.value, json!(shown.as_str()));
    let mut all: Vec<_> = c.others.iter().map(|v| v.value.clone()).collect();
    all.push(c.winner.value.clone());
    all.sort_by_key(|v| v.to_string());
    assert_eq!(all, vec![json!("A"), json!("C")]);
    assert!(
        c.others[0].device.is_some(),
        "the device that wrote each value is known"
    );
}

#[test]
fn editing_another_field_keeps_a_conflict_visible() {
    let (mut a, mut b) = two_replicas(&customer());
    a.update::<Customer>(|c| Ok(c.grade = CustomerGrade::A))
        .unwrap();
    b.update::<Customer>(|c| Ok(c.grade = CustomerGrade::C))
        .unwrap();
    exchange(&mut a, &mut b);
    a.update::<Customer>(|c| Ok(c.notes = "约了下周二".into()))
        .unwrap();
    assert_eq!(a.conflicts().len(), 1);
}

#[test]
fn resolving_a_conflict_clears_it_everywhere() {
    let (mut a, mut b) = two_replicas(&customer());
    a.update::<Customer>(|c| Ok(c.grade = CustomerGrade::A))
        .unwrap();
    b.update::<Customer>(|c| Ok(c.grade = CustomerGrade::C))
        .unwrap();
    exchange(&mut a, &mut b);
    a.resolve_conflict("/grade", &json!("A")).unwrap();
    exchange(&mut a, &mut b);
    assert!(a.conflicts().is_empty());
    assert!(b.conflicts().is_empty());
    assert_eq!(b.read::<Customer>().unwrap().grade, CustomerGrade::A);
}

#[test]
fn a_field_unknown_to_this_version_survives_an_edit() {
    let mut doc = RecordDoc::create(&customer(), actor(1)).unwrap();
    // A newer app added a field and a grade value this build does not know.
    doc.resolve_conflict("/wechat_id", &json!("zhangwei_sh"))
        .unwrap();
    doc.resolve_conflict("/grade", &json!("S")).unwrap();
    let c: Customer = doc.read().unwrap();
    assert_eq!(c.grade, CustomerGrade::Other("S".into()));
    doc.update::<Customer>(|c| Ok(c.notes = "已回访".into()))
        .unwrap();
    let json = doc.to_json();
    assert_eq!(json["wechat_id"], json!("zhangwei_sh"));
    assert_eq!(json["grade"], json!("S"));
    assert_eq!(json["notes"], json!("已回访"));
}

#[test]
fn follow_ups_appended_on_two_devices_are_all_kept_in_one_order() {
    let mut lead = LeadReferral::default();
    lead.meta.id = RecordId::from_random_bytes([3; 16]);
    let (mut a, mut b) = two_replicas(&lead);
    let entry = |id: &str, said: &str| FollowUp {
        id: id.into(),
        said: said.into(),
        ..FollowUp::default()
    };
    a.update::<LeadReferral>(|l| Ok(l.follow_ups.push(entry("a1", "电话沟通"))))
        .unwrap();
    a.update::<LeadReferral>(|l| Ok(l.follow_ups.push(entry("a2", "发送报价"))))
        .unwrap();
    b.update::<LeadReferral>(|l| Ok(l.follow_ups.push(entry("b1", "上门拜访"))))
        .unwrap();
    exchange(&mut a, &mut b);
    let ids = |d: &RecordDoc| -> Vec<String> {
        d.read::<LeadReferral>()
            .unwrap()
            .follow_ups
            .into_iter()
            .map(|f| f.id)
            .collect()
    };
    assert_eq!(ids(&a), ids(&b));
    let mut sorted = ids(&a);
    sorted.sort();
    assert_eq!(sorted, ["a1", "a2", "b1"]);
}

#[test]
fn concurrent_edits_to_one_contact_merge_per_field() {
    let mut c = customer();
    c.contacts.push(Contact {
        id: "c1".into(),
        name: "王芳".into(),
        ..Contact::default()
    });
    let (mut a, mut b) = two_replicas(&c);
    a.update::<Customer>(|c| Ok(c.contacts[0].mobile = "13800138000".into()))
        .unwrap();
    b.update::<Customer>(|c| Ok(c.contacts[0].title = "采购经理".into()))
        .unwrap();
    exchange(&mut a, &mut b);
    let merged = a.read::<Customer>().unwrap();
    assert_eq!(merged.contacts.len(), 1);
    assert_eq!(merged.contacts[0].mobile, "13800138000");
    assert_eq!(merged.contacts[0].title, "采购经理");
}

#[test]
fn an_edit_that_changes_nothing_makes_no_change() {
    let mut doc = RecordDoc::create(&customer(), actor(1)).unwrap();
    let heads = doc.heads();
    doc.update::<Customer>(|_| Ok(())).unwrap();
    assert_eq!(doc.heads(), heads);
}

#[test]
fn damaged_bytes_are_a_clear_error() {
    let mut doc = RecordDoc::create(&customer(), actor(1)).unwrap();
    let mut bytes = doc.save();
    let id = doc.id();
    bytes.truncate(bytes.len() / 2);
    assert!(matches!(
        RecordDoc::load(id, &bytes, actor(1)),
        Err(Error::CorruptRecord { .. })
    ));
    assert!(matches!(
        RecordDoc::load(id, b"not automerge", actor(1)),
        Err(Error::CorruptRecord { .. })
    ));
}

#[test]
fn a_deeply_nested_hostile_document_reads_without_overflowing_the_stack() {
    let mut doc = RecordDoc::create(&customer(), actor(1)).unwrap();
    let mut obj = automerge::ROOT;
    for _ in 0..10_000 {
        obj = doc.automerge().put_object(&obj, "x", ObjType::Map).unwrap();
    }
    let json = doc.to_json();
    assert_eq!(json["name"], json!("张伟"));
    assert!(doc.conflicts().is_empty());
    assert_eq!(doc.read::<Customer>().unwrap().name, "张伟");
}

/// The stored type of `schema` (docs/protocol.md, "Records"): new documents write a signed
/// integer (stock JS clients read it as a `number`); documents of older builds hold an
/// unsigned one. Both read as the same version, and both pass the schema on either side.
#[test]
fn schema_is_written_signed_and_read_signed_or_unsigned() {
    use crate::schema::{Policy, check_record};
    let mut doc = RecordDoc::create(&customer(), actor(1)).unwrap();
    let stored = match doc.automerge().get(ROOT, SCHEMA_KEY).unwrap() {
        Some((Value::Scalar(s), _)) => s.into_owned(),
        other => panic!("schema is not a scalar: {other:?}"),
    };
    assert_eq!(stored, ScalarValue::Int(1), "new records: a signed integer");
    for (value, version) in [
        (ScalarValue::Int(1), Some(1)),
        (ScalarValue::Uint(1), Some(1)),
        (ScalarValue::Int(-1), None),
    ] {
        let mut c = customer();
        c.meta.created_by = c.meta.owner.clone();
        let mut doc = RecordDoc::create(&c, actor(1)).unwrap();
        doc.automerge()
            .put(ROOT, SCHEMA_KEY, value.clone())
            .unwrap();
        assert_eq!(doc.schema_version(), version, "{value:?}");
        assert_eq!(doc.read::<Customer>().unwrap().name, "张伟");
        let json = doc.to_json();
        for policy in [Policy::Server, Policy::Device] {
            let checked = check_record(doc.id(), &json, policy);
            assert_eq!(checked.is_ok(), version.is_some(), "{value:?} {policy:?}");
        }
    }
}
