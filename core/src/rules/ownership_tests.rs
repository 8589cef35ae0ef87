#![allow(clippy::unwrap_used)]

use super::*;
use crate::rules::test_support::{sh, user};

fn claim(id: u8, owner: &str, at: DateTime<Utc>) -> LeadReferral {
    let mut l = LeadReferral {
        prospect_key: "tel:+8613800138000".into(),
        registered_at: Some(at),
        ..LeadReferral::default()
    };
    l.meta.id = RecordId::from_random_bytes([id; 16]);
    l.meta.owner = user(owner);
    l.code = format!("XS-{id}");
    l
}

#[test]
fn same_prospect_by_phone_in_any_form_or_company_and_name_seed_003() {
    let p = |name: &str, company: &str, phone: &str| Prospect {
        name: name.into(),
        company: company.into(),
        phone: phone.into(),
        ..Prospect::default()
    };
    assert_eq!(
        prospect_key(&p("张伟", "", "138 0013 8000")),
        prospect_key(&p("张 伟", "x", "+86 13800138000"))
    );
    assert_eq!(
        prospect_key(&p("张伟", "华东机械有限公司", "")),
        prospect_key(&p(" 张伟", "华东机械", ""))
    );
    assert_eq!(
        prospect_key(&p("Ｌｉ Ｍｉｎｇ", "ACME", "")),
        prospect_key(&p("li ming", "acme", ""))
    );
    assert_eq!(prospect_key(&p("张伟", "", "")), None);
}

#[test]
fn whoever_registers_first_owns_the_lead_seed_003() {
    let a = claim(1, "rep.li", sh(2026, 11, 23, 10, 0));
    let b = claim(2, "rep.wang", sh(2026, 11, 23, 9, 0));
    let d = decide(&[a.clone(), b.clone()]).unwrap();
    assert_eq!(d.winner.owner, user("rep.wang"));
    assert_eq!(decide(&[b, a.clone()]).unwrap(), d, "order does not matter");
    let told = d.explain_to(a.meta.id);
    assert!(
        told.contains("rep.wang")
            && told.contains("谁先报备")
            && told.contains("registered this prospect first"),
        "{told}"
    );
}

#[test]
fn a_clock_set_back_cannot_win_seed_003() {
    // rep.li's phone says 06:00 but it had seen the server at 08:00: its clock was set back.
    let mut liar = claim(1, "rep.li", sh(2026, 11, 23, 6, 0));
    liar.clock_floor_at = Some(sh(2026, 11, 23, 8, 0));
    let honest = claim(2, "rep.wang", sh(2026, 11, 23, 9, 0));
    let d = decide(&[liar.clone(), honest.clone()]).unwrap();
    assert_eq!(
        d.winner.owner,
        user("rep.wang"),
        "unverifiable claims rank last"
    );
    liar.server_received_at = Some(sh(2026, 11, 23, 12, 0));
    let d = decide(&[liar.clone(), honest]).unwrap();
    assert_eq!(d.winner.owner, user("rep.wang"));
    assert!(d.explain_to(liar.meta.id).contains("clock was behind"));
}

#[test]
fn a_fast_clock_is_capped_at_the_server_receipt_seed_003() {
    let mut fast = claim(1, "rep.li", sh(2026, 11, 25, 9, 0));
    fast.server_received_at = Some(sh(2026, 11, 23, 8, 30));
    let later = claim(2, "rep.wang", sh(2026, 11, 23, 9, 0));
    assert_eq!(decide(&[fast, later]).unwrap().winner.owner, user("rep.li"));
}

#[test]
fn equal_times_are_settled_by_record_id_seed_003() {
    let t = sh(2026, 11, 23, 9, 0);
    let d = decide(&[claim(9, "rep.li", t), claim(3, "rep.wang", t)]).unwrap();
    assert_eq!(d.winner.owner, user("rep.wang"));
    assert!(
        d.explain_to(RecordId::from_random_bytes([9; 16]))
            .contains("record id")
    );
}

#[test]
fn a_back_dated_claim_counts_from_the_servers_evidence_issue_15() {
    // The honest rep registered at 10:00 and synced at 10:30.
    let mut honest = claim(1, "rep.li", sh(2026, 11, 23, 10, 0));
    honest.server_received_at = Some(sh(2026, 11, 23, 10, 30));
    // The thief's app writes 2020 for both times; the server last synced the phone at 11:00
    // and received the lead at 11:30.
    let mut thief = claim(2, "rep.wang", sh(2020, 1, 1, 0, 0));
    thief.clock_floor_at = Some(sh(2020, 1, 1, 0, 0));
    thief.server_received_at = Some(sh(2026, 11, 23, 11, 30));
    thief.contact_floor_at = Some(sh(2026, 11, 23, 11, 0));
    let d = decide(&[thief.clone(), honest.clone()]).unwrap();
    assert_eq!(d.winner.owner, user("rep.li"));
    assert_eq!(d.others[0].effective_at, Some(sh(2026, 11, 23, 11, 0)));
    assert_eq!(d.others[0].basis, ClaimBasis::ServerEvidence);
    assert!(d.explain_to(thief.meta.id).contains("server's evidence"));
    // With no record of a previous sync, the claim counts from a day before the receipt:
    // the bounded gain that ADR 0003 names as the limit.
    thief.contact_floor_at = None;
    let d = decide(&[thief, honest]).unwrap();
    assert_eq!(d.winner.owner, user("rep.wang"));
    assert_eq!(d.winner.effective_at, Some(sh(2026, 11, 22, 11, 30)));
}

#[test]
fn an_honest_day_offline_is_not_clamped_issue_15() {
    // Registered at the booth at 08:00, synced at the hotel at 22:00, last sync the day before.
    let mut l = claim(1, "rep.li", sh(2026, 11, 23, 8, 0));
    l.server_received_at = Some(sh(2026, 11, 23, 22, 0));
    l.contact_floor_at = Some(sh(2026, 11, 22, 19, 0));
    let c = claim_of(&l);
    assert_eq!(c.effective_at, Some(sh(2026, 11, 23, 8, 0)));
    assert_eq!(c.basis, ClaimBasis::DeviceClock);
}

fn entry_to(to: &str, at: DateTime<Utc>) -> crate::model::StatusChange {
    crate::model::StatusChange {
        id: format!("h-{to}"),
        to: to.into(),
        at,
        ..Default::default()
    }
}

#[test]
fn a_closed_or_unworked_registration_releases_the_prospect_issue_17_seed_003() {
    let mut first = claim(1, "rep.li", sh(2026, 11, 1, 9, 0));
    let later = claim(2, "rep.wang", sh(2026, 11, 20, 9, 0));
    // Worked within the protection: rep.li keeps it, rep.wang's lead goes to her.
    first.follow_ups.push(crate::model::FollowUp {
        at: sh(2026, 11, 15, 9, 0),
        by: user("rep.li"),
        ..Default::default()
    });
    let d = decide(&[first.clone(), later.clone()]).unwrap();
    assert_eq!(d.winner.owner, user("rep.li"));
    assert!(d.lost_to_winner(later.meta.id));
    // Confirmed lost before rep.wang registered: the prospect was free, and is his; her
    // closed lead stays hers (released, not lost to him).
    let mut lost = first.clone();
    lost.status = LeadStatus::Lost;
    lost.history.push(entry_to("lost", sh(2026, 11, 16, 9, 0)));
    let d = decide(&[later.clone(), lost.clone()]).unwrap();
    assert_eq!(d.winner.owner, user("rep.wang"));
    assert!(!d.lost_to_winner(lost.meta.id) && d.released.len() == 1);
    assert!(
        d.explain_to(lost.meta.id).contains("released"),
        "{}",
        d.explain_to(lost.meta.id)
    );
    // Not followed up for more than 30 days: released too.
    let idle = claim(1, "rep.li", sh(2026, 10, 1, 9, 0));
    let d = decide(&[idle, later.clone()]).unwrap();
    assert_eq!(d.winner.owner, user("rep.wang"));
    // A won lead keeps its prospect however long ago it was worked.
    let mut won = claim(1, "rep.li", sh(2026, 10, 1, 9, 0));
    won.status = LeadStatus::Won;
    won.history.push(entry_to("won", sh(2026, 10, 2, 9, 0)));
    assert_eq!(decide(&[won, later]).unwrap().winner.owner, user("rep.li"));
}
