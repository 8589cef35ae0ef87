//! Seed 004 (电话销售管理制度 §3, 补白B) on a real server: the supervisor's week counts the
//! companies a rep phoned and her A/B *intent* customers — visited, file complete, signed (a
//! filed return-visit report) — the same numbers on the desk's `/api/v1/metrics` as on the
//! supervisor's synced phone. A value grade B with no intent lead does not count.

use fieldbook_core::model::{FollowUpChannel, Prospect};
use fieldbook_core::queries::weekly::weekly_summary_from_store;
use fieldbook_core::rules::{Action, lead, return_visit};
use fieldbook_core::{Clock, WorkCalendar};

use super::*;

/// A customer whose file is complete by seed 004 (name, industry, region, needs, a contact
/// with a title and a phone), of value grade C.
fn complete_customer() -> Customer {
    Customer {
        name: "华东机电".into(),
        industry: "制造".into(),
        region: "上海".into(),
        needs: "ERP 升级 (信息化现状: 手工台账)".into(),
        grade: CustomerGrade::C,
        contacts: vec![Contact {
            id: "c1".into(),
            name: "张经理".into(),
            title: "信息部主任".into(),
            mobile: "13800138000".into(),
            ..Contact::default()
        }],
        ..Customer::default()
    }
}

/// rep.li's Monday on her phone (2026-11-23, company time): a B-intent lead phoned and linked to
/// a complete customer she visited and reported; and a value-B customer visited with no lead.
async fn li_monday(w: &World) -> (RecordId, RecordId) {
    let li = w.device("rep.li");
    let store = &li.store;
    let good = store.create(complete_customer()).unwrap().meta.id;
    let value_b = Customer {
        name: "王府井百货".into(),
        grade: CustomerGrade::B,
        ..complete_customer()
    };
    let value_b = store.create(value_b).unwrap().meta.id;
    lead::register(
        store,
        LeadReferral {
            grade: LeadGrade::B,
            customer_id: Some(good),
            prospect: Prospect {
                name: "张经理".into(),
                company: "华东机电".into(),
                phone: "13800138000".into(),
                ..Prospect::default()
            },
            follow_ups: vec![FollowUp {
                id: "f1".into(),
                at: li.clock.now(),
                channel: FollowUpChannel::Phone,
                said: "约了周一上门".into(),
                next_step: "上门调研".into(),
                ..FollowUp::default()
            }],
            ..LeadReferral::default()
        },
    )
    .unwrap();
    let at = li.clock.now();
    for customer in [good, value_b] {
        let plan = VisitPlan {
            customer_id: Some(customer),
            purpose: "需求调研".into(),
            place: "客户现场".into(),
            scheduled_at: Some(at),
            ..VisitPlan::default()
        };
        let invited = at - chrono::Duration::minutes(2);
        let plan = common::visit_through(li, plan, VisitStatus::Attended, invited, Some(at));
        let report = store
            .create(ReturnVisitReport {
                rep: li.user.clone(),
                customer_id: Some(customer),
                visit_plan_id: Some(plan),
                visited_on: NaiveDate::from_ymd_opt(2026, 11, 23),
                purpose: "需求调研".into(),
                ..ReturnVisitReport::default()
            })
            .unwrap()
            .meta
            .id;
        let act = Action::on(store);
        store
            .update::<ReturnVisitReport>(report, |r| return_visit::file(r, &act))
            .unwrap();
    }
    (good, value_b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_week_counts_calls_and_ab_intent_customers_seed_004() {
    let w = World::start_at(common::phones_now()).await;
    li_monday(&w).await;
    sync_all(&w).await;
    let (s, m) = get(
        &w,
        "/api/v1/metrics?from=2026-11-23&to=2026-11-29&team=east",
        &token(&w, "sup.zhao"),
    )
    .await;
    assert_eq!(s, 200, "{m}");
    let week = m["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rep"] == "rep.li" && r["week_start"] == "2026-11-23")
        .cloned()
        .unwrap_or_else(|| panic!("no week for rep.li: {m}"));
    assert_eq!(
        (&week["visits"], &week["calls"], &week["ab_customers"]),
        (&json!(2), &json!(1), &json!(1)),
        "two visits, one company phoned, one B-intent customer; the value-B customer is not an A/B intent customer"
    );
    let sup = &w.device("sup.zhao").store;
    let phone = weekly_summary_from_store(
        sup,
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        &WorkCalendar::china_default(),
    )
    .unwrap();
    let li = &phone[&common::user("rep.li")];
    assert_eq!(
        (li.visits, li.calls, li.ab_customers),
        (2, 1, 1),
        "the supervisor's phone counts what the desk counts"
    );
}
