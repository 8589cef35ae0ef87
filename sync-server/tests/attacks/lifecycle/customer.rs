//! The customer lifecycle, refused on the server when sent raw (seeds 001, 003; ADR 0012): a
//! rep regrading her own customer, a grade changed without its history, a back-dated call, a
//! call to a person who never consented, a withdrawal undone, an important customer without
//! its reception card. Each is written on a device whose own judge is bypassed (a raw document
//! edit, or a device that does not know its user's role), and the server stores nothing.

use chrono::{DateTime, Duration, TimeZone, Utc};
use fieldbook_core::RecordId;
use fieldbook_core::model::{
    CallOutcome, Consent, Contact, ContactLogEntry, Customer, CustomerGrade, FollowUpChannel,
    StatusChange, VisitorCategory,
};
use fieldbook_core::rules::Action;
use fieldbook_core::rules::customer::{self, ContactNote};

use fieldbook_sync_server::ServerStore;

use crate::common::{Device, World, user};

/// The devices' clocks and the server's agree here: honest steps are not back-dated.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn server_heads(w: &World, id: RecordId) -> String {
    let docs = w.store.list_docs().unwrap();
    docs.into_iter().find(|d| d.id == id).unwrap().heads_key
}

/// Syncs `device`, expecting the server to refuse its change to `id` and store nothing; returns
/// the refusal's text, after discarding the refused edit.
async fn refused(w: &World, device: &Device, id: RecordId) -> String {
    crate::common::sync_refused(device, id, || server_heads(w, id)).await
}

/// rep.li's customer with one consenting contact (`k1`) and one who never consented (`k2`),
/// stored on the server.
async fn li_customer(w: &World) -> RecordId {
    let li = w.device("rep.li");
    let consent = Consent {
        given_at: t0() - Duration::days(30),
        channel: "书面".into(),
        purpose: "售后回访".into(),
        withdrawn_at: None,
    };
    let c = li
        .store
        .create(Customer {
            name: "华东机械".into(),
            grade: CustomerGrade::B,
            contacts: vec![
                Contact {
                    id: "k1".into(),
                    name: "张伟".into(),
                    consent: Some(consent),
                    ..Contact::default()
                },
                Contact {
                    id: "k2".into(),
                    name: "李娜".into(),
                    ..Contact::default()
                },
            ],
            ..Customer::default()
        })
        .unwrap();
    assert_eq!(li.sync().await.records_refused, 0);
    c.meta.id
}

fn call(by: &str, at: DateTime<Utc>, contact: &str) -> ContactLogEntry {
    ContactLogEntry {
        id: format!("raw-{contact}-{}", at.timestamp()),
        at,
        by: user(by),
        contact_id: contact.into(),
        channel: FollowUpChannel::Phone,
        outcome: CallOutcome::WillOrder,
        note: "下月补货".into(),
    }
}

fn raw_edit(device: &Device, id: RecordId, edit: impl FnOnce(&mut Customer)) {
    device
        .store
        .with_doc_mut(id, |doc| {
            doc.update::<Customer>(|c| {
                edit(c);
                Ok(())
            })
        })
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_regrading_her_own_customer_is_refused_by_the_server_seed_001() {
    let w = World::start_at(t0()).await;
    let id = li_customer(&w).await;
    let li = w.device("rep.li");
    // rep.li's phone does not know her role, so its judge leaves the role to the server.
    li.store
        .update::<Customer>(id, |c| {
            customer::regrade(c, CustomerGrade::A, "自评重要", &Action::on(&li.store))
        })
        .unwrap();
    let reason = refused(&w, li, id).await;
    // The write rule table (`/grade`: supervisors) answers before the judge does.
    assert!(reason.contains("/grade"), "{reason}");
    assert!(
        reason.contains("主管") && reason.contains("supervisor"),
        "{reason}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grade_changed_without_its_history_is_refused_and_the_legal_regrade_passes_seed_001() {
    let w = World::start_at(t0()).await;
    let id = li_customer(&w).await;
    let zhao = w.device("sup.zhao");
    zhao.sync().await;
    raw_edit(zhao, id, |c| c.grade = CustomerGrade::C);
    let reason = refused(&w, zhao, id).await;
    assert!(reason.contains("customer.grade_history"), "{reason}");
    // A history entry in another supervisor's name is no better.
    raw_edit(zhao, id, |c| {
        c.grade = CustomerGrade::C;
        c.grade_history.push(StatusChange {
            id: "forged".into(),
            from: "B".into(),
            to: "C".into(),
            at: t0(),
            by: user("sup.qian"),
            note: "降级".into(),
        });
    });
    let reason = refused(&w, zhao, id).await;
    assert!(reason.contains("customer.grade_history"), "{reason}");
    // The legal step: the rep's supervisor regrades with the reason; rep.li sees it and why.
    zhao.store
        .update::<Customer>(id, |c| {
            customer::regrade(c, CustomerGrade::C, "半年无采购", &Action::on(&zhao.store))
        })
        .unwrap();
    assert_eq!(zhao.sync().await.records_refused, 0);
    let li = w.device("rep.li");
    li.sync().await;
    let seen: Customer = li.store.get(id).unwrap();
    assert_eq!(seen.grade, CustomerGrade::C);
    assert_eq!(seen.grade_history[0].by, user("sup.zhao"));
    assert_eq!(seen.grade_history[0].note, "半年无采购");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_back_dated_or_unconsented_call_is_refused_by_the_server_seed_001_003() {
    let w = World::start_at(t0()).await;
    let id = li_customer(&w).await;
    let li = w.device("rep.li");
    // Back-dated before the phone's last completed sync, to look like the dormant call was made.
    raw_edit(li, id, |c| {
        c.contact_log
            .push(call("rep.li", t0() - Duration::days(40), "k1"))
    });
    let reason = refused(&w, li, id).await;
    assert!(reason.contains("customer.contact_time"), "{reason}");
    // A call to a person who never consented.
    raw_edit(li, id, |c| c.contact_log.push(call("rep.li", t0(), "k2")));
    let reason = refused(&w, li, id).await;
    assert!(
        reason.contains("customer.contact_needs_consent"),
        "{reason}"
    );
    assert!(
        reason.contains("同意") && reason.contains("consent"),
        "{reason}"
    );
    // A call logged in another rep's name.
    raw_edit(li, id, |c| c.contact_log.push(call("rep.wang", t0(), "k1")));
    let reason = refused(&w, li, id).await;
    assert!(reason.contains("customer.contact_log"), "{reason}");
    // The legal step: a call to the consenting contact, now.
    let note = ContactNote {
        contact_id: "k1".into(),
        channel: FollowUpChannel::Phone,
        outcome: CallOutcome::WillOrder,
        note: "下月补货".into(),
    };
    li.store
        .update::<Customer>(id, |c| {
            customer::log_contact(c, &note, &Action::on(&li.store))
        })
        .unwrap();
    assert_eq!(li.sync().await.records_refused, 0);
    // Erasing the logged call is refused: the log is append-only.
    raw_edit(li, id, |c| c.contact_log.clear());
    let reason = refused(&w, li, id).await;
    assert!(reason.contains("customer.contact_log"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undone_withdrawal_and_a_cardless_important_customer_are_refused_seed_001() {
    let w = World::start_at(t0()).await;
    let id = li_customer(&w).await;
    let li = w.device("rep.li");
    li.store
        .update::<Customer>(id, |c| {
            customer::withdraw_consent(c, "k1", &Action::on(&li.store))
        })
        .unwrap();
    assert_eq!(li.sync().await.records_refused, 0);
    raw_edit(li, id, |c| {
        if let Some(consent) = c.contacts[0].consent.as_mut() {
            consent.withdrawn_at = None;
        }
    });
    let reason = refused(&w, li, id).await;
    assert!(reason.contains("customer.consent_kept"), "{reason}");
    raw_edit(li, id, |c| c.visitor_category = VisitorCategory::Important);
    let reason = refused(&w, li, id).await;
    assert!(reason.contains("customer.reception_card"), "{reason}");
    assert!(reason.contains("顾客接待卡"), "{reason}");
}
