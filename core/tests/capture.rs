//! Trade-show capture through a real device store (SQLite files, injected clock): the preview's
//! duplicates and ownership answer, offline, and the save through the normal lead path.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use fieldbook_core::capture::{self, CaptureLead, Certainty, MatchedOn};
use fieldbook_core::model::*;
use fieldbook_core::rules::lead;
use fieldbook_core::*;

struct Phone {
    store: DeviceStore,
    clock: Arc<FixedClock>,
    _dir: tempfile::TempDir,
}

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, h, 0, 0).unwrap()
}

fn phone(n: u8, user: &str) -> Phone {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(at(1)));
    let mut o = StoreOptions::new(
        DeviceId::from_random_bytes([n; 16]),
        UserId::new(user).unwrap(),
    );
    o.clock = clock.clone();
    o.entropy = Arc::new(SeededEntropy::new(u64::from(n)));
    let store = DeviceStore::open(dir.path().join("device.sqlite3"), o).unwrap();
    Phone {
        store,
        clock,
        _dir: dir,
    }
}

const CARD: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:张伟\r\nN:张;伟;;;\r\n\
ORG:北京华科有限公司;销售部\r\nTITLE:销售总监\r\nTEL;TYPE=WORK:010-6552 9988\r\n\
TEL;TYPE=CELL:138 0013 8000\r\nEMAIL:zhang.wei@huake.cn\r\nEND:VCARD\r\n";

fn show() -> CaptureLead {
    CaptureLead {
        event: "2026 上海工博会".into(),
        ..CaptureLead::default()
    }
}

fn scan_and_save(p: &Phone, payload: &str) -> LeadReferral {
    let preview = capture::preview(&p.store, payload.as_bytes()).unwrap();
    capture::save(&p.store, &preview.fields, &show()).unwrap()
}

/// Copies a lead from one phone to another, as sync would.
fn carry(from: &Phone, to: &Phone, id: RecordId) {
    let changes = from.store.export_changes(id, &[]).unwrap();
    to.store.import_changes(id, &changes).unwrap();
}

#[test]
fn a_first_scan_is_saved_as_a_trade_show_lead_through_the_lead_rules() {
    let li = phone(1, "rep.li");
    let preview = capture::preview(&li.store, CARD.as_bytes()).unwrap();
    assert!(preview.duplicates.is_empty());
    let own = preview.ownership.unwrap();
    assert!(own.would_own && own.owner.is_none() && own.registrations == 0);
    assert_eq!(own.prospect_key, "tel:+8613800138000");
    assert!(own.explanation.contains("尚无") && own.explanation.contains(" / "));

    let saved = capture::save(&li.store, &preview.fields, &show()).unwrap();
    let stored: LeadReferral = li.store.get(saved.meta.id).unwrap();
    assert_eq!(stored, saved);
    assert_eq!(stored.source, LeadSource::TradeShow);
    assert_eq!(stored.event, "2026 上海工博会");
    assert!(stored.code.starts_with("XS-"));
    assert_eq!(stored.registered_at, Some(at(1)));
    assert_eq!(stored.prospect.name, "张伟");
    assert_eq!(stored.prospect.company, "北京华科有限公司");
    assert_eq!(
        stored.prospect.phone, "+8613800138000",
        "the mobile, not the first number"
    );
    assert_eq!(stored.prospect.email, "zhang.wei@huake.cn");
    let c = stored.capture.unwrap();
    assert_eq!(c.format, CaptureFormat::VCard30);
    assert_eq!(
        (c.title.as_str(), c.department.as_str()),
        ("销售总监", "销售部")
    );
    assert_eq!(c.phones, vec!["+8613800138000", "+861065529988"]);
}

#[test]
fn a_trade_show_scan_without_the_show_is_refused_by_the_lead_rules() {
    let li = phone(1, "rep.li");
    let fields = capture::parse_card(CARD.as_bytes()).unwrap();
    let err = capture::save(&li.store, &fields, &CaptureLead::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("展会名称") && err.contains("trade show"),
        "{err}"
    );
    assert!(
        li.store
            .list(Some(RecordKind::LeadReferral))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn another_reps_earlier_registration_on_the_phone_is_a_certain_duplicate_and_owns_it() {
    let (li, wang) = (phone(1, "rep.li"), phone(2, "rep.wang"));
    let first = scan_and_save(&wang, CARD);
    carry(&wang, &li, first.meta.id);
    li.clock.set(at(3));

    let preview = capture::preview(&li.store, CARD.as_bytes()).unwrap();
    assert_eq!(preview.duplicates.len(), 1);
    let dup = &preview.duplicates[0];
    assert_eq!(
        (dup.lead, dup.certainty),
        (first.meta.id, Certainty::Certain)
    );
    assert_eq!(
        dup.matched_on,
        vec![
            MatchedOn::Phone,
            MatchedOn::Email,
            MatchedOn::NameAndCompany
        ]
    );
    assert_eq!(dup.owner.as_str(), "rep.wang");
    let own = preview.ownership.unwrap();
    assert!(!own.would_own);
    assert_eq!(own.owner.as_ref().map(UserId::as_str), Some("rep.wang"));
    assert_eq!(own.owner_code.as_deref(), Some(first.code.as_str()));
    assert_eq!(own.owner_registered_at, Some(at(1)));
    assert!(own.explanation.contains("rep.wang") && own.explanation.contains("先行报备"));

    // Saving anyway registers a second claim, which the rule ranks after rep.wang's.
    let second = capture::save(&li.store, &preview.fields, &show()).unwrap();
    let leads = li.store.leads_with_key(&second.prospect_key).unwrap();
    let decision = rules::ownership::decide(&leads).unwrap();
    assert!(decision.owns(first.meta.id) && decision.lost_to_winner(second.meta.id));
}

#[test]
fn an_unworked_registration_no_longer_protects_the_prospect() {
    let (li, wang) = (phone(1, "rep.li"), phone(2, "rep.wang"));
    let first = scan_and_save(&wang, CARD);
    carry(&wang, &li, first.meta.id);
    li.clock
        .set(at(1) + rules::ownership::PROTECTION + TimeDelta::days(1));
    let own = capture::preview(&li.store, CARD.as_bytes())
        .unwrap()
        .ownership
        .unwrap();
    assert!(own.would_own, "{}", own.explanation);
    assert!(own.explanation.contains("已释放"), "{}", own.explanation);
    assert_eq!(own.registrations, 1);
}

#[test]
fn same_email_is_certain_similar_name_and_company_is_possible_a_name_alone_is_nothing() {
    let li = phone(1, "rep.li");
    let register = |name: &str, company: &str, phone: &str, email: &str| {
        let l = LeadReferral {
            source: LeadSource::Web,
            prospect: Prospect {
                name: name.into(),
                company: company.into(),
                phone: phone.into(),
                email: email.into(),
                ..Prospect::default()
            },
            ..LeadReferral::default()
        };
        lead::register(&li.store, l).unwrap().meta.id
    };
    let by_email = register("Z. Wei", "", "139 1234 5678", "Zhang.Wei@HUAKE.cn");
    let homophone = register("章伟", "北京华科", "", "");
    register("张伟", "上海申通机电有限公司", "", "");
    register("李娜", "北京华科有限公司", "", "");

    let dups = capture::preview(&li.store, CARD.as_bytes())
        .unwrap()
        .duplicates;
    let found: Vec<(RecordId, Certainty, Vec<MatchedOn>)> = dups
        .into_iter()
        .map(|d| (d.lead, d.certainty, d.matched_on))
        .collect();
    assert_eq!(
        found,
        vec![
            (by_email, Certainty::Certain, vec![MatchedOn::Email]),
            (
                homophone,
                Certainty::Possible,
                vec![MatchedOn::NameAndCompany]
            ),
        ]
    );
}

#[test]
fn a_card_without_a_phone_is_keyed_by_company_and_name() {
    let li = phone(1, "rep.li");
    let card = "MECARD:N:李,娜;ORG:广州白云电器有限公司;EMAIL:li.na@baiyun.cn;;";
    let own = capture::preview(&li.store, card.as_bytes())
        .unwrap()
        .ownership
        .unwrap();
    assert_eq!(own.prospect_key, "org:广州白云电器|李娜");
    let saved = scan_and_save(&li, card);
    assert_eq!(saved.prospect_key, own.prospect_key);
    let again = capture::preview(&li.store, card.as_bytes()).unwrap();
    assert_eq!(again.duplicates[0].lead, saved.meta.id);
    let own = again.ownership.unwrap();
    assert!(
        !own.would_own,
        "the phone's own earlier registration owns it"
    );
    assert!(own.explanation.contains("您已报备") && own.explanation.contains("already"));
}
