//! The back office's JSON API: redacted, with the marker, below marketing manager.

use fieldbook_sync_server::office::A_GRADE_NOTICE;
use serde_json::{Value, json};

use fieldbook_sync_server::ServerStore;

use super::*;

async fn get(w: &World, path: &str, token: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(w.http(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn token(w: &World, name: &str) -> String {
    w.device(name).token.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rep_and_her_supervisor_see_an_a_grade_customer_redacted_on_the_desk() {
    let w = World::start_at(common::phones_now()).await;
    let a = a_customer(&w).await;
    // A note in the history that only the marketing manager may see.
    let sun = w.device("mkt.sun");
    sun.store
        .update::<Customer>(a, |c| Ok(c.notes = "预算已批".into()))
        .unwrap();
    sun.sync().await;
    let record = format!("/api/v1/records/{a}");
    for who in ["rep.li", "sup.zhao"] {
        let t = token(&w, who);
        let (s, page) = get(&w, "/api/v1/records?kind=customer", &t).await;
        assert_eq!(s, 200, "{page}");
        let rows = page["records"].as_array().unwrap();
        assert_eq!(
            rows.len(),
            1,
            "{who}: the record, not also its view: {page}"
        );
        assert_eq!(rows[0]["id"], a.to_string());
        assert_eq!(
            (rows[0]["title"].clone(), rows[0]["redacted"].clone()),
            (json!("钻石集团 (钻石控股)"), json!(true))
        );
        let (s, detail) = get(&w, &record, &t).await;
        assert_eq!(s, 200, "{detail}");
        assert_eq!(detail["notice"], A_GRADE_NOTICE);
        let r = &detail["record"];
        assert_eq!(
            (r["name"].clone(), r["grade"].clone()),
            (json!("钻石集团"), json!("A"))
        );
        assert_eq!(r["contacts"], json!([]), "{who}");
        assert!(r["budget_cny"].is_null() && r["needs"] == "" && r["notes"] == "");
        let text = detail.to_string();
        for secret in [PHONE, "刘强", "全厂自动化", "董事长", "预算已批", "5000000"] {
            assert!(!text.contains(secret), "{who} sees {secret}: {text}");
        }
        let fields: Vec<&str> = detail["history"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|h| {
                h["fields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap())
            })
            .collect();
        assert!(fields.contains(&"/name"), "{fields:?}");
        assert!(
            fields
                .iter()
                .all(|f| !f.starts_with("/contacts") && !f.starts_with("/notes")),
            "{who}: {fields:?}"
        );
        let (_, hits) = get(&w, &format!("/api/v1/search?q={PHONE}"), &t).await;
        assert_eq!(hits["hits"], json!([]), "no hit on a withheld phone");
        let (_, hits) = get(&w, "/api/v1/search?q=刘强", &t).await;
        assert_eq!(hits["hits"], json!([]), "no hit on a withheld name");
        let (_, hits) = get(&w, "/api/v1/search?q=钻石集团", &t).await;
        assert_eq!(hits["hits"][0]["id"], a.to_string(), "{hits}");
        let (s, csv) = get(&w, "/api/v1/records/export.csv?kind=customer", &t).await;
        let csv = csv.as_str().unwrap_or_default().to_owned();
        assert!(
            s == 200 && csv.contains("钻石集团") && !csv.contains(PHONE),
            "{csv}"
        );
    }
    // The marketing manager reads it all, without the marker.
    let (_, full) = get(&w, &record, &token(&w, "mkt.sun")).await;
    assert!(full["notice"].is_null());
    assert_eq!(full["record"]["contacts"][0]["mobile"], PHONE);
    let (_, hits) = get(
        &w,
        &format!("/api/v1/search?q={PHONE}"),
        &token(&w, "mkt.sun"),
    )
    .await;
    assert_eq!(hits["hits"][0]["id"], a.to_string());
    // Another team's rep and the back office below marketing manager: not at all.
    for who in ["rep.wang", "sup.qian", "cs.zhou", "fin.wu"] {
        let (s, _) = get(&w, &record, &token(&w, who)).await;
        assert_eq!(s, 404, "{who}");
    }
    // The view document is not the desk's: no one gets it by its id.
    let view = fieldbook_core::access::view_id(a);
    let (s, _) = get(&w, &format!("/api/v1/records/{view}"), &token(&w, "rep.li")).await;
    assert_eq!(s, 404);
    // The rep's viewing is logged like any customer view.
    let log = w.store.access_log(Some(a), 100).unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "view" && e.user.as_str() == "rep.li")
    );
}
