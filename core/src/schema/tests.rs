#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use serde_json::{Value as Json, json};

use super::props::any_record;
use super::vocab::VOCABULARY;
use super::*;
use crate::doc::RecordDoc;
use crate::ids::{DeviceId, UserId};
use crate::model::{Customer, CustomerGrade, LeadReferral};

fn id() -> RecordId {
    RecordId::from_random_bytes([9; 16])
}

/// A customer as a stock automerge-repo client writes one: the fields it sets, no more.
fn stock_customer() -> Json {
    json!({"kind": "customer", "schema": 1, "name": "Acme", "grade": "B",
           "meta": {"created_by": "rep.li", "owner": "rep.li"}})
}

fn with(mut json: Json, pointer: &str, value: Json) -> Json {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let target = if parent.is_empty() {
        &mut json
    } else {
        json.pointer_mut(parent).unwrap()
    };
    target.as_object_mut().unwrap().insert(key.into(), value);
    json
}

fn refused(json: &Json, policy: Policy) -> SchemaRefusal {
    check_record(id(), json, policy).unwrap_err()
}

#[test]
fn the_stock_client_attack_is_refused_with_the_field_named() {
    let cases = [
        ("/grade", json!(42), "wrong type"),
        ("/name", json!({"first": "A"}), "wrong type"),
        ("/budget_cny", json!("lots"), "wrong type"),
        ("/colour", json!("red"), "unknown field"),
        ("/grade", json!("Z"), "unknown value"),
        (
            "/notes",
            json!("x".repeat(MAX_LONG_TEXT_CHARS + 1)),
            "too long",
        ),
        ("/budget_cny", json!(-5), "out of range"),
    ];
    for (field, value, what) in cases {
        let r = refused(&with(stock_customer(), field, value), Policy::Server);
        assert_eq!(r.field, field, "{r}");
        let text = r.to_string();
        assert!(text.contains(&format!("字段 {field}：")), "{text}");
        assert!(
            text.contains(&format!("field {field}: ")) && text.contains(what),
            "{text}"
        );
        assert!(
            !text.contains("lots") && !text.contains("red"),
            "no value: {text}"
        );
    }
}

#[test]
fn wrong_types_say_what_was_expected_in_both_languages() {
    let r = refused(
        &with(stock_customer(), "/budget_cny", json!("lots")),
        Policy::Server,
    );
    assert_eq!(
        r.to_string(),
        format!(
            "记录 {} 字段 /budget_cny：类型不符，应为整数 / record {} field /budget_cny: wrong type, \
         expected i64",
            id(),
            id()
        )
    );
    let r = refused(
        &with(stock_customer(), "/contacts", json!([{"name": 7}])),
        Policy::Server,
    );
    assert_eq!(r.field, "/contacts/0/name");
}

#[test]
fn a_device_keeps_a_newer_apps_fields_and_values_but_not_wrong_types_or_sizes() {
    let newer = with(
        with(stock_customer(), "/colour", json!("red")),
        "/grade",
        json!("S"),
    );
    assert_eq!(check_record(id(), &newer, Policy::Device), Ok(()));
    let newer_schema = with(stock_customer(), "/schema", json!(SCHEMA_VERSION + 1));
    assert_eq!(check_record(id(), &newer_schema, Policy::Device), Ok(()));
    assert_eq!(refused(&newer_schema, Policy::Server).field, "/schema");
    assert_eq!(
        refused(&with(newer.clone(), "/grade", json!(42)), Policy::Device).field,
        "/grade"
    );
    let long = with(newer, "/name", json!("名".repeat(MAX_TEXT_CHARS + 1)));
    assert_eq!(
        refused(&long, Policy::Device).problem,
        Problem::TooLong {
            max: MAX_TEXT_CHARS
        }
    );
}

#[test]
fn the_envelope_is_required_and_the_servers_own_fields_are_known() {
    let mut no_kind = stock_customer();
    no_kind.as_object_mut().unwrap().remove("kind");
    assert_eq!(refused(&no_kind, Policy::Server).field, "/kind");
    let mut no_schema = stock_customer();
    no_schema.as_object_mut().unwrap().remove("schema");
    assert_eq!(refused(&no_schema, Policy::Device).field, "/schema");
    let anonymous = with(stock_customer(), "/meta/created_by", json!(""));
    assert_eq!(
        refused(&anonymous, Policy::Server).problem,
        Problem::Missing
    );
    assert_eq!(
        refused(
            &with(stock_customer(), "/kind", json!("spaceship")),
            Policy::Server
        )
        .field,
        "/kind"
    );
    // An erased record (ADR 0007) carries the server's generation and erasure stamp.
    let erased = with(
        with(stock_customer(), "/meta/generation", json!(2)),
        "/erased_at",
        json!("2026-11-23T01:00:00Z"),
    );
    assert_eq!(check_record(id(), &erased, Policy::Server), Ok(()));
    let zero = with(stock_customer(), "/meta/generation", json!(0));
    assert_eq!(refused(&zero, Policy::Server).field, "/meta/generation");
}

#[test]
fn what_fieldbook_and_the_interop_clients_write_passes() {
    let mut c = Customer {
        name: "张伟".into(),
        grade: CustomerGrade::A,
        ..Customer::default()
    };
    c.meta.created_by = UserId::new("rep.li").unwrap();
    let doc = RecordDoc::create(&c, DeviceId::from_random_bytes([1; 16]).actor(1)).unwrap();
    assert_eq!(check_record(id(), &doc.to_json(), Policy::Server), Ok(()));
    assert_eq!(
        check_record(id(), &stock_customer(), Policy::Server),
        Ok(())
    );
    // tests/interop/lib.mjs `leadRecord`, and the fault scenarios' record.
    let lead = json!({"meta": {"created_by": "rep.test", "owner": "rep.test"},
        "kind": "lead_referral", "schema": 1, "code": "L-2026-000001", "source": "trade_show",
        "event": "Canton Fair 2026", "referrer_name": "",
        "prospect": {"company": "Prospect Co. 1", "name": "Contact 1", "needs": "Guangdong"},
        "grade": "A", "status": "open", "lost_reason": "",
        "follow_ups": [{"id": "f-1", "channel": "phone", "said": "Called back"}], "history": []});
    assert_eq!(check_record(id(), &lead, Policy::Server), Ok(()));
    let log = json!({"kind": "visit_plan", "schema": 1, "purpose": "L-1",
        "materials": ["a-0", "b-0"], "meta": {"created_by": "rep.test", "owner": "rep.test"}});
    assert_eq!(check_record(id(), &log, Policy::Server), Ok(()));
}

#[test]
fn a_reader_names_what_does_not_fit_its_model_and_nothing_else() {
    let bad = with(stock_customer(), "/budget_cny", json!("lots"));
    assert_eq!(model_mismatch(id(), &bad).unwrap().field, "/budget_cny");
    let newer = with(stock_customer(), "/colour", json!("red"));
    assert_eq!(model_mismatch(id(), &newer), None);
    assert_eq!(
        model_mismatch(id(), &json!({"kind": "spaceship", "x": 1})),
        None
    );
    let lead = json!({"kind": "lead_referral", "follow_ups": [{"at": 5}]});
    assert_eq!(
        model_mismatch(id(), &lead).unwrap().field,
        "/follow_ups/0/at"
    );
    let _ = LeadReferral::default();
}

/// Every leaf of `json` that holds a value (not `null`), with its pointer.
fn leaves(json: &Json, at: &str, out: &mut Vec<(String, Json)>) {
    match json {
        Json::Object(m) => m
            .iter()
            .for_each(|(k, v)| leaves(v, &format!("{at}/{k}"), out)),
        Json::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(n, v)| leaves(v, &format!("{at}/{n}"), out)),
        Json::Null => {}
        leaf => out.push((at.to_owned(), leaf.clone())),
    }
}

/// Every object of `json` (the root included), with its pointer.
fn objects(json: &Json, at: &str, out: &mut Vec<String>) {
    match json {
        Json::Object(m) => {
            out.push(at.to_owned());
            m.iter()
                .for_each(|(k, v)| objects(v, &format!("{at}/{k}"), out));
        }
        Json::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(n, v)| objects(v, &format!("{at}/{n}"), out)),
        _ => {}
    }
}

/// Breaks a valid record in one place; returns the broken record and the field broken.
fn break_one(
    json: &Json,
    how: u8,
    pick: prop::sample::Index,
    kind: &RecordKind,
) -> Option<(Json, String)> {
    let mut out = json.clone();
    let mut all = Vec::new();
    leaves(json, "", &mut all);
    let target = match how {
        0 => {
            let (p, v) = pick.get(&all);
            let wrong = if v.is_string() {
                json!(42)
            } else {
                json!("lots")
            };
            *out.pointer_mut(p).unwrap() = wrong;
            p.clone()
        }
        1 => {
            let mut objs = Vec::new();
            objects(json, "", &mut objs);
            let at = pick.get(&objs);
            let obj = if at.is_empty() {
                &mut out
            } else {
                out.pointer_mut(at).unwrap()
            };
            obj.as_object_mut()
                .unwrap()
                .insert("zz_unknown".into(), json!(1));
            format!("{at}/zz_unknown")
        }
        2 => {
            let mut found = Vec::new();
            for v in VOCABULARY.iter().filter(|v| v.kind == *kind) {
                vocab::matches(
                    json,
                    v.pointer.trim_start_matches('/'),
                    String::new(),
                    &mut found,
                );
            }
            let found: Vec<String> = found
                .into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(p, _)| p)
                .collect();
            if found.is_empty() {
                return None;
            }
            let p = pick.get(&found).clone();
            *out.pointer_mut(&p).unwrap() = json!("zz-unknown");
            p
        }
        _ => {
            let strings: Vec<&String> = all
                .iter()
                .filter(|(_, v)| v.is_string())
                .map(|(p, _)| p)
                .collect();
            let p = (*pick.get(&strings)).clone();
            *out.pointer_mut(&p).unwrap() = json!("x".repeat(MAX_LONG_TEXT_CHARS + 1));
            p
        }
    };
    Some((out, target))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, rng_seed: proptest::test_runner::RngSeed::Fixed(20261204), ..ProptestConfig::default() })]

    #[test]
    fn valid_records_pass_and_round_trip(record in any_record()) {
        let json = record.json();
        prop_assert_eq!(check_record(id(), &json, Policy::Server), Ok(()));
        prop_assert_eq!(check_record(id(), &json, Policy::Device), Ok(()));
        prop_assert_eq!(record.reread(&json).unwrap(), record);
    }

    #[test]
    fn a_record_broken_in_one_place_is_refused_naming_that_field(
        record in any_record(), how in 0u8..4, pick in any::<prop::sample::Index>()
    ) {
        let json = record.json();
        if let Some((broken, field)) = break_one(&json, how, pick, &record.kind()) {
            let r = check_record(id(), &broken, Policy::Server).unwrap_err();
            prop_assert_eq!(&r.field, &field, "{}", r);
            let text = r.to_string();
            let (zh, en) = (format!("字段 {field}："), format!("field {field}: "));
            prop_assert!(text.contains(&zh) && text.contains(&en), "{}", text);
            // A newer app's field or value is kept on a device.
            if how == 1 || how == 2 {
                prop_assert_eq!(check_record(id(), &broken, Policy::Device), Ok(()));
            }
        }
    }

    /// A string field that reads any value as `Other(text)` is an enum field; the vocabulary
    /// table must list it, or the server would take any value there.
    #[test]
    fn every_enum_field_is_in_the_vocabulary_table(record in any_record()) {
        let json = record.json();
        let mut all = Vec::new();
        leaves(&json, "", &mut all);
        for (p, v) in all.iter().filter(|(_, v)| v.is_string()) {
            let _ = v;
            let mut probe = json.clone();
            *probe.pointer_mut(p).unwrap() = json!("zz-probe");
            let Ok(read) = record.reread(&probe) else { continue };
            if !format!("{read:?}").contains("Other(\"zz-probe\")") {
                continue;
            }
            let pattern: Vec<&str> = p.split('/').map(|s| if s.parse::<usize>().is_ok() { "*" } else { s }).collect();
            let pattern = pattern.join("/");
            prop_assert!(
                VOCABULARY.iter().any(|v| v.kind == record.kind() && v.pointer == pattern),
                "{} {} is an enum field missing from VOCABULARY", record.kind(), pattern
            );
        }
    }
}
