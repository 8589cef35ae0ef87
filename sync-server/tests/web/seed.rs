//! The records the web tests start from, made on the phones and synced: a B-grade customer of
//! rep.li and an A-grade one (made by the marketing manager), a reception with an expense
//! awaiting both approvals, a filed return-visit report.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use fieldbook_core::RecordId;
use fieldbook_core::model::{
    Contact, Customer, CustomerGrade, ExpenseApplication, Proposal, ReceptionNote,
    ReturnVisitReport, VisitPlan, VisitStatus,
};

use crate::common::{World, user};

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 10, 9, 0, 0).unwrap()
}

pub struct Seed {
    pub customer_b: RecordId,
    pub customer_a: RecordId,
    pub reception: RecordId,
    pub report: RecordId,
}

pub async fn sync_all(w: &World) {
    for _ in 0..2 {
        for d in w.devices.values() {
            d.sync().await;
        }
    }
}

pub async fn seed(w: &World) -> Seed {
    let li = &w.device("rep.li").store;
    let contact = |name: &str, mobile: &str| Contact {
        id: "c1".into(),
        name: name.into(),
        mobile: mobile.into(),
        ..Contact::default()
    };
    let customer_b = li
        .create(Customer {
            name: "王府井百货".into(),
            company: "王府井集团".into(),
            grade: CustomerGrade::B,
            contacts: vec![contact("张伟", "13800138000")],
            ..Customer::default()
        })
        .unwrap()
        .meta
        .id;
    let mut a = Customer {
        name: "钻石集团".into(),
        grade: CustomerGrade::A,
        contacts: vec![contact("刘强", "13912345678")],
        ..Customer::default()
    };
    a.meta.owner = user("rep.li");
    let customer_a = w.device("mkt.sun").store.create(a).unwrap().meta.id;
    let reception = li
        .create(ReceptionNote {
            customer_id: Some(customer_b),
            host: user("rep.li"),
            purpose: "参观工厂".into(),
            head_count: 3,
            visit_at: Some(Utc.with_ymd_and_hms(2026, 12, 11, 2, 0, 0).unwrap()),
            expense: Some(ExpenseApplication {
                amount_fen: 80_000,
                purpose: "午餐".into(),
                applied_by: user("rep.li"),
                applied_at: Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(),
                ..ExpenseApplication::default()
            }),
            ..ReceptionNote::default()
        })
        .unwrap()
        .meta
        .id;
    let report = li
        .create(ReturnVisitReport {
            customer_id: Some(customer_b),
            rep: user("rep.li"),
            purpose: "季度回访".into(),
            place: "王府井店".into(),
            needs: "增加两台收银机".into(),
            // Visited the day before, filed on the phone now (its clock: 23 November, 09:00).
            visited_on: NaiveDate::from_ymd_opt(2026, 11, 22),
            materials_returned: true,
            filed_at: Some(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()),
            proposals: vec![Proposal {
                id: "p1".into(),
                text: "希望延长保修".into(),
                received_at: Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap(),
                ..Proposal::default()
            }],
            ..ReturnVisitReport::default()
        })
        .unwrap()
        .meta
        .id;
    visits(w, customer_b);
    sync_all(w).await;
    Seed {
        customer_b,
        customer_a,
        reception,
        report,
    }
}

/// Three weeks of invitations and visits of both reps (for the metrics and their charts).
fn visits(w: &World, customer: RecordId) {
    let day = |d: u32| {
        Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap() + chrono::Days::new(u64::from(d))
    };
    let plans: [(&str, u32, VisitStatus); 9] = [
        ("rep.li", 3, VisitStatus::Attended),
        ("rep.li", 5, VisitStatus::Attended),
        ("rep.li", 11, VisitStatus::Attended),
        ("rep.li", 12, VisitStatus::Declined),
        ("rep.li", 17, VisitStatus::Accepted),
        ("rep.wang", 4, VisitStatus::Attended),
        ("rep.wang", 10, VisitStatus::Attended),
        ("rep.wang", 16, VisitStatus::Attended),
        ("rep.wang", 18, VisitStatus::Invited),
    ];
    for (rep, d, status) in plans {
        let attended = (status == VisitStatus::Attended).then(|| day(d));
        let plan = VisitPlan {
            rep: user(rep),
            customer_id: Some(if rep == "rep.li" {
                customer
            } else {
                RecordId::from_random_bytes([d as u8; 16])
            }),
            purpose: "产品介绍".into(),
            place: "客户现场".into(),
            scheduled_at: Some(day(d)),
            ..VisitPlan::default()
        };
        let invited_at = day(d) - chrono::Days::new(2);
        crate::common::visit_through(w.device(rep), plan, status, invited_at, attended);
    }
}
