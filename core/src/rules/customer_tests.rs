use super::*;
use crate::model::ReceptionCard;
use crate::rules::test_support::{act, sh};

fn consenting(id: &str) -> Contact {
    Contact {
        id: id.into(),
        name: "王芳".into(),
        consent: Some(Consent {
            given_at: sh(2026, 11, 1, 9, 0),
            ..Consent::default()
        }),
        ..Contact::default()
    }
}

#[test]
fn a_grade_customer_data_only_for_marketing_manager_seed_001() {
    let c = Customer {
        grade: CustomerGrade::A,
        needs: "扩产".into(),
        contacts: vec![Contact::default()],
        ..Customer::default()
    };
    assert!(!may_read_full(&c, Role::Supervisor));
    assert!(!may_read_full(&c, Role::CustomerServiceManager));
    assert!(visible_to(&c, Role::FieldRep).contacts.is_empty());
    assert_eq!(visible_to(&c, Role::FieldRep).needs, "");
    assert_eq!(visible_to(&c, Role::MarketingManager), c);
    let b = Customer {
        grade: CustomerGrade::B,
        ..c.clone()
    };
    assert_eq!(visible_to(&b, Role::FieldRep), b);
}

#[test]
fn the_view_of_an_a_grade_customer_withholds_the_details_and_names_the_record() {
    let real = RecordId::from_random_bytes([5; 16]);
    let mut c = Customer {
        name: "钻石集团".into(),
        grade: CustomerGrade::A,
        notes: "机密".into(),
        budget_cny: Some(100),
        contacts: vec![Contact {
            mobile: "13912345678".into(),
            ..Contact::default()
        }],
        ..Customer::default()
    };
    c.meta.id = real;
    c.meta.created_by = crate::ids::UserId::new("mkt.sun").unwrap();
    c.meta.owner = crate::ids::UserId::new("rep.li").unwrap();
    let view = view_document(real, &c).unwrap();
    assert!(crate::access::view_of(&view) == Some(real));
    assert_eq!(
        (view["kind"].as_str(), view["name"].as_str()),
        (Some("customer"), Some("钻石集团"))
    );
    let text = view.to_string();
    assert!(
        !text.contains("13912345678") && !text.contains("机密"),
        "{text}"
    );
    let checked = crate::schema::check_record(view_id(real), &view, crate::schema::Policy::Device);
    assert!(
        checked.is_ok(),
        "a device keeps the view's marker: {checked:?}"
    );
    for (path, withheld) in [
        ("/contacts/0/mobile", true),
        ("/notes", true),
        ("/name", false),
        ("/needs_more", false),
    ] {
        assert_eq!(is_withheld(path), withheld, "{path}");
    }
}

#[test]
fn important_customers_have_a_reception_card_seed_001() {
    let mut c = Customer {
        visitor_category: VisitorCategory::Important,
        ..Customer::default()
    };
    assert!(check_reception_card(&c).is_err());
    c.reception_card = Some(ReceptionCard {
        interests: "茶".into(),
        ..ReceptionCard::default()
    });
    assert!(check_reception_card(&c).is_ok());
    assert!(check_reception_card(&Customer::default()).is_ok());
}

#[test]
fn contacts_reached_only_with_consent_seed_003() {
    let mut contact = Contact::default();
    let at = sh(2026, 11, 10, 9, 0);
    assert!(check_may_contact(&contact, at).is_err());
    contact.consent = Some(Consent {
        given_at: sh(2026, 11, 1, 9, 0),
        ..Consent::default()
    });
    assert!(check_may_contact(&contact, at).is_ok());
    assert!(check_may_contact(&contact, sh(2026, 10, 31, 9, 0)).is_err());
    if let Some(c) = contact.consent.as_mut() {
        c.withdrawn_at = Some(sh(2026, 11, 20, 9, 0));
    }
    assert!(
        check_may_contact(&contact, at).is_ok(),
        "called before the withdrawal"
    );
    assert!(
        check_may_contact(&contact, sh(2026, 11, 21, 9, 0))
            .unwrap_err()
            .to_string()
            .contains("撤回")
    );
}

#[test]
fn a_regrade_has_a_reason_and_is_kept_seed_001() {
    let mut c = Customer::default();
    let a = act(sh(2026, 11, 23, 9, 0));
    assert!(regrade(&mut c, CustomerGrade::B, " ", &a).is_err());
    regrade(&mut c, CustomerGrade::B, "年采购额过百万", &a).unwrap();
    assert_eq!(c.grade, CustomerGrade::B);
    assert_eq!(
        (
            c.grade_history[0].from.as_str(),
            c.grade_history[0].to.as_str()
        ),
        ("C", "B")
    );
    assert!(regrade(&mut c, CustomerGrade::B, "再次", &a).is_err());
}

#[test]
fn a_call_needs_consent_and_is_logged_with_its_outcome_seed_001() {
    let mut c = Customer {
        contacts: vec![consenting("k1"), Contact::default()],
        ..Customer::default()
    };
    let a = act(sh(2026, 11, 23, 10, 0));
    let note = |contact_id: &str, outcome: CallOutcome, note: &str| ContactNote {
        contact_id: contact_id.into(),
        channel: FollowUpChannel::Phone,
        outcome,
        note: note.into(),
    };
    assert!(log_contact(&mut c, &note("", CallOutcome::NotReached, ""), &a).is_err());
    assert!(log_contact(&mut c, &note("k1", CallOutcome::WillOrder, ""), &a).is_err());
    log_contact(&mut c, &note("k1", CallOutcome::NotReached, ""), &a).unwrap();
    log_contact(&mut c, &note("k1", CallOutcome::WillOrder, "下月补货"), &a).unwrap();
    assert_eq!(c.contact_log.len(), 2);
    assert_eq!(c.contact_log[1].outcome, CallOutcome::WillOrder);
    withdraw_consent(&mut c, "k1", &a).unwrap();
    assert!(withdraw_consent(&mut c, "k1", &a).is_err());
    let refused = log_contact(&mut c, &note("k1", CallOutcome::NotReached, ""), &a);
    assert!(refused.unwrap_err().to_string().contains("撤回"));
    assert!(record_consent(&mut c, "k1", "电话", "回访", &a).is_err());
}
