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
