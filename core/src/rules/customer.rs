//! The customer file (客户档案) — seeds 001, 003.
//!
//! - A-grade customer data may be read only by a marketing manager or above (seed 001 §3.6):
//!   below that level the record is shown with contacts, budget, needs and habits withheld.
//! - Important customers have a reception card (顾客接待卡, seed 001 §2) before a reception.
//! - Contacts are reached only with consent that was not withdrawn (PIPL Art. 14–15, seed 003).
//!
//! Choices: roles are ordered rep < supervisor < marketing manager < general manager; reading an
//! A-grade customer as a lower role gives a redacted copy rather than an error, so lists still
//! work; who reads what is for the audit log of the sync-server issue.

use crate::error::{Error, Result};
use crate::model::{Contact, Customer, CustomerGrade, VisitorCategory};

/// A person's level in the company, for access to customer data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Rep,
    Supervisor,
    /// 营销经理
    MarketingManager,
    GeneralManager,
}

/// Whether `role` may read the whole customer record.
pub fn may_read_full(customer: &Customer, role: Role) -> bool {
    customer.grade != CustomerGrade::A || role >= Role::MarketingManager
}

/// The customer as `role` may see it: A-grade details withheld below marketing manager.
pub fn visible_to(customer: &Customer, role: Role) -> Customer {
    if may_read_full(customer, role) {
        return customer.clone();
    }
    Customer {
        contacts: Vec::new(),
        budget_cny: None,
        needs: String::new(),
        habits: String::new(),
        reception_card: None,
        notes: String::new(),
        ..customer.clone()
    }
}

/// Checks that an important customer has a reception card before a reception.
pub fn check_reception_card(customer: &Customer) -> Result<()> {
    let important = matches!(
        customer.visitor_category,
        VisitorCategory::Important | VisitorCategory::KeyAccount
    );
    if important && customer.reception_card.is_none() {
        return Err(Error::invalid(
            "reception_card",
            "重要客户须先填写顾客接待卡 / an important customer needs a reception card first",
        ));
    }
    Ok(())
}

/// Checks that a contact may be contacted: consent given and not withdrawn.
pub fn check_may_contact(contact: &Contact) -> Result<()> {
    match &contact.consent {
        Some(c) if c.withdrawn_at.is_none() => Ok(()),
        Some(_) => Err(Error::invalid(
            "consent",
            "联系人已撤回同意，不得联系 / the contact withdrew consent: do not contact",
        )),
        None => Err(Error::invalid(
            "consent",
            "未取得联系人同意 / no consent recorded for this contact",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Consent, ReceptionCard};
    use crate::rules::test_support::sh;

    #[test]
    fn a_grade_customer_data_only_for_marketing_manager_and_above_seed_001() {
        let c = Customer {
            grade: CustomerGrade::A,
            needs: "扩产".into(),
            contacts: vec![Contact::default()],
            ..Customer::default()
        };
        assert!(!may_read_full(&c, Role::Supervisor));
        assert!(visible_to(&c, Role::Rep).contacts.is_empty());
        assert_eq!(visible_to(&c, Role::MarketingManager), c);
        let b = Customer {
            grade: CustomerGrade::B,
            ..c.clone()
        };
        assert_eq!(visible_to(&b, Role::Rep), b);
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
        assert!(check_may_contact(&contact).is_err());
        contact.consent = Some(Consent {
            given_at: sh(2026, 11, 1, 9, 0),
            ..Consent::default()
        });
        assert!(check_may_contact(&contact).is_ok());
        if let Some(c) = contact.consent.as_mut() {
            c.withdrawn_at = Some(sh(2026, 11, 20, 9, 0));
        }
        assert!(
            check_may_contact(&contact)
                .unwrap_err()
                .to_string()
                .contains("撤回")
        );
    }
}
