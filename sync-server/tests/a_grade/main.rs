//! Issue 17, seed 001 §3.6 on a real server (ADR 0013): an A-grade customer is seen in full only
//! by the marketing manager; the rep who owns it and her supervisor see it redacted — on the
//! desk (lists, the record page with its history and conflicts, search, exports) and on their
//! phones (a server-written view document, whose bytes never reach the phone's file) — and a
//! change to the view is refused with nothing stored.
#![allow(clippy::unwrap_used, clippy::unit_arg)]

#[path = "../common/mod.rs"]
mod common;

mod desk;
mod phones;

use common::{World, user};
use fieldbook_core::RecordId;
use fieldbook_core::model::{Contact, Customer, CustomerGrade};

/// The withheld contact's phone number: it must never reach a redacted reader.
const PHONE: &str = "13912345678";

async fn sync_all(w: &World) {
    for d in w.devices.values() {
        d.sync().await;
    }
}

/// An A-grade customer of rep.li, made by the marketing manager, with a contact, notes and a
/// budget; synced everywhere.
async fn a_customer(w: &World) -> RecordId {
    let mut a = Customer {
        name: "钻石集团".into(),
        company: "钻石控股".into(),
        grade: CustomerGrade::A,
        budget_cny: Some(5_000_000),
        needs: "全厂自动化改造".into(),
        notes: "董事长偏好周五面谈".into(),
        contacts: vec![Contact {
            id: "c1".into(),
            name: "刘强".into(),
            mobile: PHONE.into(),
            ..Contact::default()
        }],
        ..Customer::default()
    };
    a.meta.owner = user("rep.li");
    let id = w.device("mkt.sun").store.create(a).unwrap().meta.id;
    sync_all(w).await;
    sync_all(w).await;
    id
}
