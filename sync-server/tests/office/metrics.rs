//! The desk's metrics are the devices' numbers (`fieldbook_core::queries`) over what the
//! viewer may read: invitations, weeks, overdue reports and follow-ups, trade-show leads.

use fieldbook_core::DeviceStore;
use fieldbook_core::model::LeadSource;
use fieldbook_core::queries::metrics::invitation_metrics;
use fieldbook_core::store::Filter;

use super::*;

/// rep.li's leads of November, registered before her phone's first sync: the times her phone
/// claims (its clock says 2026-11-23) cannot be older than a completed sync (issue 17).
fn november_leads(w: &World) -> RecordId {
    let li = &w.device("rep.li").store;
    let lead = li
        .create(LeadReferral {
            grade: LeadGrade::A,
            registered_at: Some(nov(23, 1)),
            ..LeadReferral::default()
        })
        .unwrap()
        .meta
        .id;
    li.create(LeadReferral {
        source: LeadSource::TradeShow,
        event: "广交会".into(),
        grade: LeadGrade::D,
        registered_at: Some(nov(20, 1)),
        follow_ups: vec![FollowUp {
            id: "f1".into(),
            at: nov(23, 1),
            by: li.user().clone(),
            said: "展位交流".into(),
            next_step: "寄资料".into(),
            ..FollowUp::default()
        }],
        ..LeadReferral::default()
    })
    .unwrap();
    lead
}

/// rep.li's November: four invitations, one attended visit to a B customer, an overdue
/// report, an overdue follow-up and a trade-show lead answered in three days.
async fn november(w: &World, b: RecordId) -> RecordId {
    let li = &w.device("rep.li").store;
    let plan = VisitPlan {
        rep: common::user("rep.li"),
        customer_id: Some(b),
        purpose: "产品介绍".into(),
        place: "客户现场".into(),
        scheduled_at: Some(nov(24, 2)),
        ..VisitPlan::default()
    };
    let phone = &w.fresh_device(40, "rep.li", now());
    for status in [
        VisitStatus::Accepted,
        VisitStatus::Declined,
        VisitStatus::Invited,
    ] {
        common::visit_through(phone, plan.clone(), status, nov(16, 2), None);
    }
    let attended = Some(nov(24, 3));
    common::visit_through(phone, plan, VisitStatus::Attended, nov(16, 2), attended);
    let report = li
        .create(ReturnVisitReport {
            rep: common::user("rep.li"),
            visited_on: NaiveDate::from_ymd_opt(2026, 11, 20),
            ..ReturnVisitReport::default()
        })
        .unwrap()
        .meta
        .id;
    // The invitations were recorded in November on a phone offline since then (the phone that
    // synced today could not claim November times: no back-dating).
    assert_eq!(phone.sync().await.records_refused, 0);
    sync_all(w).await;
    report
}

fn device_plans(store: &DeviceStore) -> Vec<VisitPlan> {
    store.read_projected(&Filter::default()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_the_devices_numbers_over_what_the_viewer_may_read() {
    let w = World::start_at(now()).await;
    let lead = november_leads(&w);
    let c = customers(&w).await;
    let report = november(&w, c.b).await;
    let cs = token(&w, "cs.zhou");
    let (s, m) = get(
        &w,
        "/api/v1/metrics?from=2026-11-01&to=2026-11-30&team=east",
        &cs,
    )
    .await;
    assert_eq!(s, 200, "{m}");
    let device = invitation_metrics(
        &device_plans(&w.device("rep.li").store),
        &[],
        nov(1, 0),
        nov(30, 16),
    );
    let inv = &m["invitations"];
    assert_eq!(
        (
            inv["invited"].as_u64(),
            inv["responded"].as_u64(),
            inv["accepted"].as_u64(),
            inv["attended"].as_u64()
        ),
        (
            Some(device.invited),
            Some(device.responded),
            Some(device.accepted),
            Some(device.attended)
        )
    );
    assert_eq!(
        (device.invited, device.accepted, device.attended),
        (4, 2, 1)
    );
    assert_eq!(
        inv["success_rate"],
        json!({"numerator": 2, "denominator": 4, "percent": 50.0})
    );
    assert_eq!(m["invitations_by_rep"][0]["rep"], "rep.li");
    let week = m["weeks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["week_start"] == "2026-11-23")
        .unwrap();
    assert_eq!(
        (
            week["rep"].as_str(),
            week["visits"].as_u64(),
            week["calls"].as_u64(),
            week["ab_customers"].as_u64()
        ),
        (Some("rep.li"), Some(1), Some(1), Some(0)),
        "one trade-show lead phoned; the B *value* customer is no A/B intent customer (seed 004)"
    );
    assert_eq!(m["overdue_reports"][0]["record"], report.to_string());
    assert_eq!(
        m["overdue_reports"][0]["due_at"], "2026-11-21T15:59:59Z",
        "visited Friday the 20th: due by the end of the next calendar day, Shanghai (回访第二天)"
    );
    assert!(
        m["overdue_follow_ups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["record"] == lead.to_string())
    );
    assert_eq!(m["trade_show"]["on_target"], 1);
    assert_eq!(m["trade_show"]["median_response_secs"], 3 * 86_400);
    let (_, west) = get(
        &w,
        "/api/v1/metrics?from=2026-11-01&to=2026-11-30&team=west",
        &cs,
    )
    .await;
    assert_eq!(
        (
            west["invitations"]["invited"].as_u64(),
            west["overdue_reports"].clone()
        ),
        (Some(0), json!([]))
    );
    let (s, body) = get(&w, "/api/v1/metrics?from=2026-12-01&to=2026-11-01", &cs).await;
    assert_eq!(s, 400, "{body}");
    let (s, body) = get(&w, "/api/v1/metrics?week=1", &cs).await;
    assert_eq!(s, 400, "{body}");
}
