//! Issue 9, the back office's JSON API on a real server (clock fixed at 2026-12-10 09:00 UTC):
//! lists, records with history and conflicts, search, metrics, desk actions that reach the
//! devices, all-or-nothing import, exports and the OpenAPI document. Every bad request gets a
//! clear JSON error and changes nothing; a rep never sees an A-grade customer.
#![allow(clippy::unwrap_used, clippy::unit_arg)]

mod common;
#[path = "office/weeks.rs"]
mod weeks;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use common::World;
use fieldbook_core::model::{
    Contact, Customer, CustomerGrade, Department, ExpenseApplication, FollowUp, LeadGrade,
    LeadReferral, LeadSource, Proposal, ReceptionNote, ReturnVisitReport, VisitPlan, VisitStatus,
};
use fieldbook_core::queries::metrics::invitation_metrics;
use fieldbook_core::store::Filter;
use fieldbook_core::{DeviceStore, RecordId};
use fieldbook_sync_server::ServerStore;
use serde_json::{Value, json};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 10, 9, 0, 0).unwrap()
}

fn nov(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
}

async fn send(req: reqwest::RequestBuilder, token: Option<&str>) -> (u16, Value) {
    let req = match token {
        Some(t) => req.bearer_auth(t),
        None => req,
    };
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn get(w: &World, path: &str, token: &str) -> (u16, Value) {
    send(reqwest::Client::new().get(w.http(path)), Some(token)).await
}

async fn post(w: &World, path: &str, token: &str, body: Value) -> (u16, Value) {
    send(
        reqwest::Client::new().post(w.http(path)).json(&body),
        Some(token),
    )
    .await
}

async fn post_file(w: &World, path: &str, token: &str, kind: &str, bytes: Vec<u8>) -> (u16, Value) {
    let req = reqwest::Client::new()
        .post(w.http(path))
        .header("content-type", kind)
        .body(bytes);
    send(req, Some(token)).await
}

async fn download(w: &World, path: &str, token: &str) -> (u16, String, Vec<u8>) {
    let resp = reqwest::Client::new()
        .get(w.http(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let kind = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, resp.bytes().await.unwrap().to_vec())
}

/// A desk user signs in with a password, as `POST /api/v1/devices/login` allows.
async fn login(w: &World, user: &str) -> String {
    let body = json!({"user": user, "password": "correct horse battery"});
    let (s, creds) = send(
        reqwest::Client::new()
            .post(w.http("/api/v1/devices/login"))
            .json(&body),
        None,
    )
    .await;
    assert_eq!(s, 200, "{creds}");
    creds["token"].as_str().unwrap().to_owned()
}

fn token(w: &World, user: &str) -> String {
    w.device(user).token.clone()
}

fn ids(page: &Value) -> Vec<String> {
    page["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The stored heads of every record (what "nothing changed" compares).
fn server_state(w: &World) -> Vec<(RecordId, String)> {
    let docs = w.store.list_docs().unwrap();
    docs.into_iter().map(|d| (d.id, d.heads_key)).collect()
}

async fn sync_all(w: &World) {
    for _ in 0..2 {
        for d in w.devices.values() {
            d.sync().await;
        }
    }
}

struct Customers {
    b: RecordId,
    a: RecordId,
}

/// A B-grade customer of rep.li with a contact, and an A-grade one (of li, made by the
/// marketing manager).
async fn customers(w: &World) -> Customers {
    let li = &w.device("rep.li").store;
    let b = li
        .create(Customer {
            name: "王府井百货".into(),
            grade: CustomerGrade::B,
            contacts: vec![Contact {
                id: "c1".into(),
                name: "张伟".into(),
                mobile: "13800138000".into(),
                ..Contact::default()
            }],
            ..Customer::default()
        })
        .unwrap()
        .meta
        .id;
    let mut a = Customer {
        name: "钻石集团".into(),
        grade: CustomerGrade::A,
        contacts: vec![Contact {
            id: "c1".into(),
            name: "刘强".into(),
            mobile: "13912345678".into(),
            ..Contact::default()
        }],
        ..Customer::default()
    };
    a.meta.owner = common::user("rep.li");
    let a = w.device("mkt.sun").store.create(a).unwrap().meta.id;
    sync_all(w).await;
    Customers { b, a }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_records_and_history_in_scope_and_logs_customer_views() {
    let w = World::start_at(now()).await;
    let c = customers(&w).await;
    let li = w.device("rep.li");
    let plan = li
        .store
        .create(VisitPlan {
            rep: li.user.clone(),
            customer_id: Some(c.b),
            purpose: "季度回访".into(),
            scheduled_at: Some(nov(24, 2)),
            ..VisitPlan::default()
        })
        .unwrap()
        .meta
        .id;
    li.sync().await;
    let cs = login(&w, "cs.zhou").await;

    let (s, page) = get(&w, "/api/v1/records?kind=customer", &cs).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(
        ids(&page),
        [c.b.to_string()],
        "no A-grade for the CS manager"
    );
    let (_, page) = get(&w, "/api/v1/records?kind=customer", &token(&w, "mkt.sun")).await;
    assert_eq!(page["total"], 2, "the marketing manager sees A-grade");

    let (_, page) = get(&w, &format!("/api/v1/records?customer={}", c.b), &cs).await;
    assert_eq!(page["total"], 2, "the customer and its visit: {page}");
    let (_, page) = get(
        &w,
        "/api/v1/records?team=east&rep=rep.li&sort=title&order=asc",
        &cs,
    )
    .await;
    assert_eq!(page["records"][0]["title"], "季度回访", "{page}");
    assert_eq!(page["records"][0]["team"], "east");
    let (_, page) = get(&w, "/api/v1/records?from=2026-11-24&to=2026-11-24", &cs).await;
    assert_eq!(ids(&page), [plan.to_string()]);
    let (_, page) = get(&w, "/api/v1/records?per_page=1&page=2&sort=kind", &cs).await;
    assert_eq!(
        (
            page["total"].as_u64(),
            page["records"].as_array().unwrap().len()
        ),
        (Some(2), 1)
    );
    let (_, page) = get(&w, "/api/v1/records?team=west", &cs).await;
    assert_eq!(page["total"], 0);

    // One record: its history names who, from which device, when, which fields.
    let (s, detail) = get(&w, &format!("/api/v1/records/{}", c.b), &cs).await;
    assert_eq!(s, 200, "{detail}");
    assert_eq!(detail["record"]["name"], "王府井百货");
    let first = &detail["history"][0];
    assert_eq!(first["user"], "rep.li");
    assert_eq!(first["device"], li.id.to_string());
    assert_eq!(first["received_at"], "2026-12-10T09:00:00Z");
    let fields: Vec<&str> = first["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(fields.contains(&"/name"), "{fields:?}");
    assert_eq!(detail["conflicts"], json!([]));
    assert_eq!(detail["history_omitted"], 0);
    // The rep and the supervisor set the same field offline: the desk sees the conflict.
    let zhao = w.device("sup.zhao");
    li.store
        .update::<Customer>(c.b, |c| Ok(c.notes = "周五到访".into()))
        .unwrap();
    zhao.store
        .update::<Customer>(c.b, |c| Ok(c.notes = "下周到访".into()))
        .unwrap();
    li.sync().await;
    zhao.sync().await;
    let (_, detail) = get(&w, &format!("/api/v1/records/{}", c.b), &cs).await;
    let conflict = &detail["conflicts"][0];
    assert_eq!(conflict["path"], "/notes", "{detail}");
    let values = [
        &conflict["winner"]["value"],
        &conflict["others"][0]["value"],
    ];
    assert!(values.contains(&&json!("周五到访")) && values.contains(&&json!("下周到访")));
    let last = detail["history"].as_array().unwrap().last().unwrap();
    assert_eq!(
        (last["user"].as_str(), last["fields"].clone()),
        (Some("sup.zhao"), json!(["/notes"]))
    );
    let log = w.store.access_log(Some(c.b), 100).unwrap();
    assert!(
        log.iter()
            .any(|e| e.user.as_str() == "cs.zhou" && e.action == "view"),
        "{log:?}"
    );

    // Bad input: a clear 400/401/404, nothing logged or changed.
    let before = server_state(&w);
    for (path, status, mentions) in [
        ("/api/v1/records?colour=red", 400, "colour"),
        ("/api/v1/records?kind=invoice", 400, "kind"),
        ("/api/v1/records?per_page=0", 400, "per_page"),
        ("/api/v1/records?page=abc", 400, "page"),
        ("/api/v1/records?from=yesterday", 400, "from"),
        ("/api/v1/records?order=sideways", 400, "order"),
        ("/api/v1/records/not-an-id", 400, "record id"),
        ("/api/v1/search?q=x&sort=title", 400, "sort"),
        ("/api/v1/search", 400, "q"),
        ("/api/v1/metrics?from=soon", 400, "from"),
    ] {
        let (s, body) = get(&w, path, &cs).await;
        assert_eq!(s, status, "{path}: {body}");
        let msg = body["error"].as_str().unwrap();
        assert!(
            msg.contains(mentions) && msg.contains(" / "),
            "{path}: {msg}"
        );
    }
    let unknown = RecordId::from_random_bytes([99; 16]);
    let (s, body) = get(&w, &format!("/api/v1/records/{unknown}"), &cs).await;
    assert_eq!((s, body["error"].is_string()), (404, true));
    for bad in ["", "not-a-token"] {
        let (s, body) = get(&w, "/api/v1/records", bad).await;
        assert_eq!(s, 401, "{body}");
        assert!(body["error"].is_string());
    }
    let (s, _) = send(reqwest::Client::new().get(w.http("/api/v1/metrics")), None).await;
    assert_eq!(s, 401);
    assert_eq!(server_state(&w), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rep_never_sees_an_a_grade_customer_by_list_get_search_or_export() {
    let w = World::start_at(now()).await;
    let c = customers(&w).await;
    let li = token(&w, "rep.li");
    let (_, page) = get(&w, "/api/v1/records", &li).await;
    assert_eq!(ids(&page), [c.b.to_string()]);
    let (s, _) = get(&w, &format!("/api/v1/records/{}", c.a), &li).await;
    assert_eq!(s, 404, "out of scope reads as absent");
    for q in ["钻石", "zsjt", "13912345678", "刘强"] {
        let (s, hits) = get(&w, &format!("/api/v1/search?q={q}"), &li).await;
        assert_eq!((s, hits["hits"].clone()), (200, json!([])), "{q}");
    }
    for ext in ["csv", "xlsx"] {
        let (s, _, bytes) = download(&w, &format!("/api/v1/records/export.{ext}"), &li).await;
        assert_eq!(s, 200);
        let text = if ext == "csv" {
            String::from_utf8(bytes).unwrap()
        } else {
            xlsx_text(&bytes)
        };
        assert!(
            text.contains("王府井百货") && !text.contains("钻石"),
            "{ext}: {text}"
        );
    }
    // The rep finds its own customer as on the device: Chinese, pinyin, initials, phone.
    for q in [
        "王府井",
        "zw",
        "zhangwei",
        "138-0013-8000",
        "+86 138 0013 8000",
    ] {
        let (_, hits) = get(&w, &format!("/api/v1/search?q={}", urlencode(q)), &li).await;
        assert_eq!(hits["hits"][0]["id"], c.b.to_string(), "{q}: {hits}");
    }
    // The marketing manager finds the A-grade customer by phone.
    let (_, hits) = get(&w, "/api/v1/search?q=13912345678", &token(&w, "mkt.sun")).await;
    assert_eq!(hits["hits"][0]["id"], c.a.to_string());
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Every cell of the first sheet, as text.
fn xlsx_text(bytes: &[u8]) -> String {
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

struct DeskRecords {
    reception: RecordId,
    report: RecordId,
    lead: RecordId,
}

async fn desk_records(w: &World) -> DeskRecords {
    let li = &w.device("rep.li").store;
    let reception = li
        .create(ReceptionNote {
            host: common::user("rep.li"),
            purpose: "参观工厂".into(),
            expense: Some(ExpenseApplication {
                amount_fen: 80_000,
                purpose: "午餐".into(),
                applied_by: common::user("rep.li"),
                applied_at: nov(23, 9),
                ..ExpenseApplication::default()
            }),
            ..ReceptionNote::default()
        })
        .unwrap()
        .meta
        .id;
    let report = li
        .create(ReturnVisitReport {
            rep: common::user("rep.li"),
            purpose: "回访".into(),
            visited_on: NaiveDate::from_ymd_opt(2026, 11, 20),
            materials_returned: true,
            // Filed on the phone now (its clock: 23 November, 09:00); the warranty proposal
            // routed to customer service, whose manager answers it (seed 001 §4).
            filed_at: Some(nov(23, 9)),
            proposals: vec![Proposal {
                id: "p1".into(),
                text: "希望延长保修".into(),
                received_at: nov(20, 9),
                department: Some(Department::CustomerService),
                routed_by: Some(common::user("rep.li")),
                routed_at: Some(nov(23, 9)),
                ..Proposal::default()
            }],
            ..ReturnVisitReport::default()
        })
        .unwrap()
        .meta
        .id;
    let lead = li.create(LeadReferral::default()).unwrap().meta.id;
    sync_all(w).await;
    DeskRecords {
        reception,
        report,
        lead,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desk_actions_obey_the_write_rules_and_reach_the_devices() {
    let w = World::start_at(now()).await;
    let r = desk_records(&w).await;
    let cs = login(&w, "cs.zhou").await;
    let li = w.device("rep.li");

    // The customer-service manager approves; the rep's phone gets it by sync.
    let path = format!("/api/v1/records/{}/expense/approve", r.reception);
    let (s, body) = post(&w, &path, &cs, json!({"comment": "同意"})).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["record"]["expense"]["cs_manager"]["approved"], true);
    li.sync().await;
    let note: ReceptionNote = li.store.get(r.reception).unwrap();
    let approval = note.expense.unwrap().cs_manager.unwrap();
    assert_eq!(
        (approval.approved, approval.by.as_str(), approval.at),
        (true, "cs.zhou", now())
    );
    let path = format!("/api/v1/records/{}/expense/reject", r.reception);
    let (s, body) = post(
        &w,
        &path,
        &token(&w, "fin.wu"),
        json!({"comment": "超预算"}),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        body["record"]["expense"]["finance_manager"]["approved"],
        false
    );
    // The history names the desk user (no device).
    let (_, detail) = get(&w, &format!("/api/v1/records/{}", r.reception), &cs).await;
    let desk: Vec<&Value> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["device"].is_null())
        .collect();
    assert_eq!(desk.len(), 2, "{detail}");
    assert_eq!(desk[0]["user"], "cs.zhou");
    assert!(
        desk[0]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f.as_str().unwrap().starts_with("/expense/cs_manager"))
    );

    // Refusals change nothing.
    let before = server_state(&w);
    let review = format!("/api/v1/records/{}/review", r.report);
    let refusals = [
        (
            format!("/api/v1/records/{}/expense/approve", r.reception),
            token(&w, "rep.li"),
            json!({}),
            403,
        ),
        (review.clone(), cs.clone(), json!({"guidance": "好"}), 403),
        (
            review.clone(),
            token(&w, "sup.zhao"),
            json!({"guidance": "  "}),
            400,
        ),
        (
            review.clone(),
            token(&w, "sup.zhao"),
            json!({"guidance": "好", "extra": 1}),
            400,
        ),
        (
            format!("/api/v1/records/{}/reassign", r.lead),
            token(&w, "rep.li"),
            json!({"to": "rep.wang"}),
            403,
        ),
        (
            format!("/api/v1/records/{}/reassign", r.lead),
            token(&w, "sup.zhao"),
            json!({"to": "cs.zhou"}),
            400,
        ),
        (
            format!("/api/v1/records/{}/reassign", r.report),
            token(&w, "sup.zhao"),
            json!({"to": "rep.wang"}),
            400,
        ),
        (
            format!("/api/v1/records/{}/proposal/answer", r.report),
            token(&w, "sup.zhao"),
            json!({"proposal": "p1", "outcome": "maybe", "answer": "再议"}),
            400,
        ),
        (
            format!(
                "/api/v1/records/{}/review",
                RecordId::from_random_bytes([7; 16])
            ),
            token(&w, "sup.zhao"),
            json!({"guidance": "好"}),
            404,
        ),
    ];
    for (path, who, body, status) in refusals {
        let (s, got) = post(&w, &path, &who, body.clone()).await;
        assert_eq!(s, status, "{path} {body}: {got}");
        assert!(got["error"].as_str().unwrap().contains(" / "), "{got}");
    }
    let malformed = reqwest::Client::new()
        .post(w.http(&review))
        .header("content-type", "application/json")
        .body("{\"guidance\": ");
    let (s, got) = send(malformed, Some(&token(&w, "sup.zhao"))).await;
    assert_eq!(s, 400, "{got}");
    assert!(got["error"].as_str().unwrap().contains("JSON"));
    let (s, _) = post(&w, &review, "wrong-token", json!({"guidance": "好"})).await;
    assert_eq!(s, 401);
    assert_eq!(server_state(&w), before, "nothing changed");

    // The supervisor reviews; the customer-service manager answers the proposal routed to her
    // department (not the supervisor); the supervisor reassigns the lead to the other team.
    let zhao = token(&w, "sup.zhao");
    let (s, body) = post(&w, &review, &zhao, json!({"guidance": "下次带上样品"})).await;
    assert_eq!(s, 200, "{body}");
    let path = format!("/api/v1/records/{}/proposal/answer", r.report);
    let answer = json!({"proposal": "p1", "outcome": "accepted", "answer": "保修延长一年"});
    let (s, body) = post(&w, &path, &zhao, answer.clone()).await;
    assert_eq!(s, 403, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("return_visit.proposal_answered_by_routed_manager"),
        "{body}"
    );
    let (s, body) = post(&w, &path, &token(&w, "cs.zhou"), answer).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["record"]["proposals"][0]["outcome"], "accepted");
    let path = format!("/api/v1/records/{}/reassign", r.lead);
    let (s, body) = post(&w, &path, &zhao, json!({"to": "rep.wang"})).await;
    assert_eq!(s, 200, "{body}");
    li.sync().await;
    let report: ReturnVisitReport = li.store.get(r.report).unwrap();
    assert_eq!(report.review.unwrap().guidance, "下次带上样品");
    let wang = w.device("rep.wang");
    wang.sync().await;
    let lead: LeadReferral = wang.store.get(r.lead).unwrap();
    assert_eq!(
        lead.meta.owner.as_str(),
        "rep.wang",
        "the new owner's phone holds it"
    );
}

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

const HEADER: &str = "客户名称 / Customer,公司 / Company,等级 / Grade,联系人 / Contact,手机 / Mobile,负责人 / Owner\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_is_all_or_nothing_and_devices_discover_what_it_creates() {
    let w = World::start_at(now()).await;
    let cs = login(&w, "cs.zhou").await;
    let path = "/api/v1/import/customers";
    let before = server_state(&w);
    // Half bad: nothing at all is imported, and the report says which rows and fields.
    let half_bad = format!(
        "{HEADER}上海机床厂,上海机床,B,李雷,13800138001,rep.li\n,无名,A,,12,nobody\n杭州丝绸,杭州丝绸,Z,,,rep.li\n"
    );
    let (s, body) = post_file(&w, path, &cs, "text/csv", half_bad.into_bytes()).await;
    assert_eq!(s, 400, "{body}");
    let rows = body["report"]["rows"].as_array().unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r["ok"].as_bool().unwrap())
            .collect::<Vec<_>>(),
        [true, false, false]
    );
    let fields: Vec<&str> = rows[1]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "mobile", "owner"], "{body}");
    assert_eq!(rows[2]["errors"][0]["field"], "grade");
    assert_eq!(
        (rows[1]["row"].as_u64(), body["report"]["imported"].as_u64()),
        (Some(3), Some(0))
    );
    // An A-grade customer is outside the CS manager's scope: refused by the write rules.
    let a_grade = format!("{HEADER}钻石集团,钻石,A,,,rep.li\n");
    let (s, body) = post_file(&w, path, &cs, "text/csv", a_grade.into_bytes()).await;
    assert_eq!(
        (s, body["report"]["rows"][0]["errors"][0]["field"].as_str()),
        (400, Some("row")),
        "{body}"
    );
    let oversized = vec![b'x'; 2 * 1024 * 1024 + 1];
    let (s, body) = post_file(&w, path, &cs, "text/csv", oversized).await;
    assert_eq!(s, 413, "{body}");
    assert!(body["error"].as_str().unwrap().contains("MiB"));
    let (s, body) = post_file(&w, path, &cs, "application/pdf", b"%PDF".to_vec()).await;
    assert_eq!(s, 415, "{body}");
    let (s, body) = post_file(
        &w,
        path,
        &cs,
        "text/csv",
        "颜色 / Colour\n红\n".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(s, 400, "{body}");
    assert!(body["error"].as_str().unwrap().contains("颜色"));
    let (s, _) = post_file(&w, path, "wrong", "text/csv", HEADER.as_bytes().to_vec()).await;
    assert_eq!(s, 401);
    assert_eq!(server_state(&w), before, "nothing was imported");

    // A good CSV and a good XLSX: new documents, indexed, discovered by the owner's phone.
    let good = format!("\u{feff}{HEADER}上海机床厂,上海机床,B,李雷,138 0013 8001,rep.li\n");
    let (s, body) = post_file(&w, path, &cs, "text/csv", good.into_bytes()).await;
    assert_eq!(s, 200, "{body}");
    let csv_id: RecordId = body["report"]["rows"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let xlsx = xlsx_of(&[
        &["name", "grade", "手机", "owner"],
        &["杭州丝绸", "C", "13800138002", "rep.li"],
        &["苏州园林", "", "", ""],
    ]);
    let kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let (s, body) = post_file(&w, path, &cs, kind, xlsx).await;
    assert_eq!(
        (s, body["report"]["imported"].as_u64()),
        (200, Some(2)),
        "{body}"
    );
    let li = w.device("rep.li");
    li.sync().await;
    let imported: Customer = li.store.get(csv_id).unwrap();
    assert_eq!(
        (imported.name.as_str(), imported.contacts[0].mobile.as_str()),
        ("上海机床厂", "+8613800138001")
    );
    assert_eq!(imported.meta.created_by.as_str(), "cs.zhou");
    let (_, page) = get(
        &w,
        "/api/v1/records?kind=customer&sort=title&order=asc",
        &cs,
    )
    .await;
    assert_eq!(page["total"], 3, "{page}");

    // Exports of the same list, Chinese headers first.
    let (s, kind, bytes) = download(
        &w,
        "/api/v1/records/export.csv?kind=customer&rep=rep.li",
        &cs,
    )
    .await;
    assert_eq!((s, kind.as_str()), (200, "text/csv; charset=utf-8"));
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.starts_with("\u{feff}编号 / ID,类型 / Kind,名称 / Title"),
        "{text}"
    );
    assert_eq!(
        text.lines().count(),
        3,
        "header and li's two customers: {text}"
    );
    let (s, _, bytes) = download(&w, "/api/v1/records/export.xlsx?kind=customer", &cs).await;
    assert_eq!(s, 200);
    let sheet = xlsx_text(&bytes);
    assert!(
        sheet.starts_with("编号 / ID,类型 / Kind,名称 / Title") && sheet.contains("苏州园林"),
        "{sheet}"
    );
    let (s, _, _) = download(&w, "/api/v1/records/export.csv?kind=nope", &cs).await;
    assert_eq!(s, 400);
    let log = w.store.access_log(Some(csv_id), 10).unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "export" && e.user.as_str() == "cs.zhou")
    );
}

fn xlsx_of(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_every_endpoint() {
    let w = World::start_at(now()).await;
    let (s, doc) = send(
        reqwest::Client::new().get(w.http("/api/v1/openapi.json")),
        None,
    )
    .await;
    assert_eq!(s, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/records",
        "/api/v1/records/export.csv",
        "/api/v1/records/export.xlsx",
        "/api/v1/records/{id}",
        "/api/v1/records/{id}/review",
        "/api/v1/records/{id}/expense/approve",
        "/api/v1/records/{id}/expense/reject",
        "/api/v1/records/{id}/proposal/answer",
        "/api/v1/records/{id}/reassign",
        "/api/v1/search",
        "/api/v1/metrics",
        "/api/v1/import/customers",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    let params = doc["paths"]["/api/v1/records"]["get"]["parameters"]
        .as_array()
        .unwrap();
    assert!(params.iter().any(|p| p["name"] == "per_page"));
    assert!(doc["components"]["schemas"]["RecordRow"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}
