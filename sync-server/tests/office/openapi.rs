//! The OpenAPI document lists every endpoint of the JSON API.

use super::*;
use fieldbook_core::model::StringEnum;

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
        "/api/v1/records/{id}/acknowledge",
        "/api/v1/records/{id}/reassign",
        "/api/v1/search",
        "/api/v1/metrics",
        "/api/v1/import/customers",
        "/api/v1/grants",
        "/api/v1/grants/{id}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    let params = doc["paths"]["/api/v1/records"]["get"]["parameters"]
        .as_array()
        .unwrap();
    assert!(params.iter().any(|p| p["name"] == "per_page"));
    // The kinds a list may ask for are every kind of record.
    let kind = params.iter().find(|p| p["name"] == "kind").unwrap();
    let pattern = kind["schema"]["pattern"].as_str().unwrap();
    let named: Vec<&str> = pattern[2..pattern.len() - 2].split('|').collect();
    let kinds: Vec<&str> = fieldbook_core::model::RecordKind::ALL
        .iter()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(named, kinds, "{pattern}");
    assert!(doc["components"]["schemas"]["RecordRow"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}
