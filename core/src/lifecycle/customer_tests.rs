use chrono::Duration;

use super::*;
use crate::access::Directory;
use crate::calendar::WorkCalendar;
use crate::ids::UserId;
use crate::model::{
    CallOutcome, Consent, ContactLogEntry, CustomerGrade, ReceptionCard, VisitorCategory,
};
use crate::rules::test_support::{sh, user};

fn company() -> Directory {
    let mut dir = Directory::new();
    dir.insert(user("rep.li"), Role::FieldRep, Some("east"));
    dir.insert(user("sup.zhao"), Role::Supervisor, Some("east"));
    dir.insert(user("sup.qian"), Role::Supervisor, Some("west"));
    dir
}

fn now() -> DateTime<Utc> {
    sh(2026, 11, 23, 10, 0)
}

fn judged(
    before: &Customer,
    after: &Customer,
    who: &UserId,
    role: Option<Role>,
    dir: &Directory,
) -> Verdict {
    let cal = WorkCalendar::china_default();
    let ctx = Context {
        user: who,
        role,
        now: now(),
        floor: Some(now() - Duration::days(1)),
        dir: Some(dir),
        calendar: &cal,
    };
    judge(Some(before), after, &ctx)
}

fn li_customer() -> Customer {
    let mut c = Customer {
        contacts: vec![Contact {
            id: "k1".into(),
            consent: Some(Consent {
                given_at: sh(2026, 11, 1, 9, 0),
                ..Consent::default()
            }),
            ..Contact::default()
        }],
        ..Customer::default()
    };
    c.meta.owner = user("rep.li");
    c
}

fn regraded(c: &Customer, by: &str, at: DateTime<Utc>) -> Customer {
    let mut after = c.clone();
    after.grade = CustomerGrade::B;
    after.grade_history.push(StatusChange {
        id: "g1".into(),
        from: "C".into(),
        to: "B".into(),
        at,
        by: user(by),
        note: "年采购额过百万".into(),
    });
    after
}

fn rule(v: Verdict) -> &'static str {
    v.err().map_or("", |v| v.rule)
}

#[test]
fn only_the_reps_supervisor_regrades_with_history_seed_001() {
    let dir = company();
    let c = li_customer();
    let ok = regraded(&c, "sup.zhao", now());
    assert_eq!(
        judged(&c, &ok, &user("sup.zhao"), Some(Role::Supervisor), &dir),
        Ok(())
    );
    let by_rep = regraded(&c, "rep.li", now());
    let v = judged(&c, &by_rep, &user("rep.li"), Some(Role::FieldRep), &dir);
    assert_eq!(rule(v), "customer.grade_by_supervisor");
    let other_team = regraded(&c, "sup.qian", now());
    let v = judged(
        &c,
        &other_team,
        &user("sup.qian"),
        Some(Role::Supervisor),
        &dir,
    );
    assert_eq!(rule(v), "customer.grade_by_supervisor");
    let mut bare = c.clone();
    bare.grade = CustomerGrade::B;
    let v = judged(&c, &bare, &user("sup.zhao"), Some(Role::Supervisor), &dir);
    assert_eq!(rule(v), "customer.grade_history");
    let back_dated = regraded(&c, "sup.zhao", now() - Duration::days(30));
    let v = judged(
        &c,
        &back_dated,
        &user("sup.zhao"),
        Some(Role::Supervisor),
        &dir,
    );
    assert_eq!(rule(v), "customer.grade_time");
    let mut rewritten = ok.clone();
    rewritten.grade_history[0].note = "改过".into();
    let v = judged(
        &ok,
        &rewritten,
        &user("sup.zhao"),
        Some(Role::Supervisor),
        &dir,
    );
    assert_eq!(rule(v), "customer.grade_history");
}

fn called(c: &Customer, by: &str, at: DateTime<Utc>, contact: &str) -> Customer {
    let mut after = c.clone();
    after.contact_log.push(ContactLogEntry {
        id: "c1".into(),
        at,
        by: user(by),
        contact_id: contact.into(),
        outcome: CallOutcome::WillOrder,
        note: "下月补货".into(),
        ..ContactLogEntry::default()
    });
    after
}

#[test]
fn calls_are_logged_by_the_caller_now_with_consent_seed_001_003() {
    let dir = company();
    let li = (user("rep.li"), Some(Role::FieldRep));
    let c = li_customer();
    let ok = called(&c, "rep.li", now(), "k1");
    assert_eq!(judged(&c, &ok, &li.0, li.1, &dir), Ok(()));
    let forged = called(&c, "rep.wang", now(), "k1");
    assert_eq!(
        rule(judged(&c, &forged, &li.0, li.1, &dir)),
        "customer.contact_log"
    );
    let back = called(&c, "rep.li", now() - Duration::days(3), "k1");
    assert_eq!(
        rule(judged(&c, &back, &li.0, li.1, &dir)),
        "customer.contact_time"
    );
    let stranger = called(&c, "rep.li", now(), "nobody");
    assert_eq!(
        rule(judged(&c, &stranger, &li.0, li.1, &dir)),
        "customer.contact_needs_consent"
    );
    let mut withdrawn = c.clone();
    if let Some(consent) = withdrawn.contacts[0].consent.as_mut() {
        consent.withdrawn_at = Some(now() - Duration::hours(1));
    }
    let after = called(&withdrawn, "rep.li", now(), "k1");
    assert_eq!(
        rule(judged(&withdrawn, &after, &li.0, li.1, &dir)),
        "customer.contact_needs_consent"
    );
    let mut erased = ok.clone();
    erased.contact_log.clear();
    assert_eq!(
        rule(judged(&ok, &erased, &li.0, li.1, &dir)),
        "customer.contact_log"
    );
}

#[test]
fn a_withdrawal_is_final_and_consent_not_rewritten_pipl() {
    let dir = company();
    let li = (user("rep.li"), Some(Role::FieldRep));
    let c = li_customer();
    let mut withdrawn = c.clone();
    if let Some(consent) = withdrawn.contacts[0].consent.as_mut() {
        consent.withdrawn_at = Some(now());
    }
    assert_eq!(judged(&c, &withdrawn, &li.0, li.1, &dir), Ok(()));
    let v = judged(&withdrawn, &c, &li.0, li.1, &dir);
    assert_eq!(rule(v), "customer.consent_kept");
    let mut rewritten = c.clone();
    if let Some(consent) = rewritten.contacts[0].consent.as_mut() {
        consent.given_at = sh(2025, 1, 1, 9, 0);
    }
    let v = judged(&c, &rewritten, &li.0, li.1, &dir);
    assert_eq!(rule(v), "customer.consent_kept");
    let mut dropped = c.clone();
    dropped.contacts.clear();
    assert_eq!(judged(&c, &dropped, &li.0, li.1, &dir), Ok(()));
}

#[test]
fn important_customers_keep_a_reception_card_seed_001() {
    let dir = company();
    let li = (user("rep.li"), Some(Role::FieldRep));
    let c = li_customer();
    let mut important = c.clone();
    important.visitor_category = VisitorCategory::Important;
    let v = judged(&c, &important, &li.0, li.1, &dir);
    assert_eq!(rule(v), "customer.reception_card");
    important.reception_card = Some(ReceptionCard {
        interests: "茶艺".into(),
        ..ReceptionCard::default()
    });
    assert_eq!(judged(&c, &important, &li.0, li.1, &dir), Ok(()));
    let mut lost = important.clone();
    lost.reception_card = None;
    let v = judged(&important, &lost, &li.0, li.1, &dir);
    assert_eq!(rule(v), "customer.reception_card");
    // A record already out of line may still be edited otherwise.
    let mut noted = lost.clone();
    noted.notes = "周三来访".into();
    assert_eq!(judged(&lost, &noted, &li.0, li.1, &dir), Ok(()));
}
