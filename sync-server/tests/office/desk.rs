//! Desk actions (approve, reject, review, answer a proposal, reassign) obey the write rules,
//! reach the devices by sync, and every refusal changes nothing.

use fieldbook_core::model::{Department, ExpenseApplication, Proposal, ReceptionNote};

use super::*;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reps_supervisor_acknowledges_a_daily_log_once_seed_003() {
    use fieldbook_core::model::{DailyLog, LogEntry};
    let w = World::start_at(common::phones_now()).await;
    let li = w.device("rep.li");
    let entry = LogEntry {
        customer_id: Some(RecordId::from_random_bytes([9; 16])),
        in_depth: true,
        ..LogEntry::default()
    };
    let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let id = common::daily_log_on(li, day, vec![entry], true);
    li.sync().await;
    let path = format!("/api/v1/records/{id}/acknowledge");
    let (s, body) = post(&w, &path, &w.device("mkt.sun").token, json!({})).await;
    assert_eq!(s, 403, "only a supervisor: {body}");
    let (s, _) = post(&w, &path, &w.device("sup.qian").token, json!({})).await;
    assert_eq!(s, 404, "another team's log is not hers to see");
    let zhao = &w.device("sup.zhao").token;
    let (s, body) = post(&w, &path, zhao, json!({"comment": "收到"})).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(body["record"]["acknowledged"]["by"], "sup.zhao");
    let (s, body) = post(&w, &path, zhao, json!({"comment": "再次"})).await;
    assert_eq!(s, 400, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("daily_log.ack_once") && error.contains(" / "),
        "{error}"
    );
    let (s, _) = post(&w, &path, zhao, json!({"colour": "red"})).await;
    assert_eq!(s, 400, "unknown fields refused");
    li.sync().await;
    let ack = li.store.get::<DailyLog>(id).unwrap().acknowledged.unwrap();
    assert_eq!(
        (ack.by.as_str(), ack.comment.as_str()),
        ("sup.zhao", "收到")
    );
}
