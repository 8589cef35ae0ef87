//! Grants refused, with nothing stored; the finance manager's stock client refused without one.

use fieldbook_sync_server::ServerStore;

use super::*;

fn stored_grants(w: &World) -> usize {
    w.store
        .grants(chrono::DateTime::<chrono::Utc>::MIN_UTC)
        .unwrap()
        .len()
}

/// Seed 001 §3.6(4): only the customer-service department approves. A grant or a revocation
/// by anyone else is refused (403, bilingual) and stores nothing; the finance manager's phone
/// still does not get the customer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_by_anyone_but_customer_service_is_refused_and_stores_nothing() {
    let (w, _) = world().await;
    let id = customer(&w, CustomerGrade::B).await;
    for who in ["fin.wu", "mkt.sun", "admin.zheng", "sup.zhao", "rep.li"] {
        let (s, body) = grant(&w, who, "fin.wu", id, None).await;
        assert_eq!(s, 403, "{who}: {body}");
        let error = body["error"].as_str().unwrap();
        assert!(
            error.contains("只有客户服务部经理") && error.contains("customer-service manager"),
            "{error}"
        );
    }
    assert_eq!(stored_grants(&w), 0, "nothing stored");
    assert!(!holds(w.device("fin.wu"), id).await);
    let (s, g) = grant(&w, "cs.zhou", "fin.wu", id, Some(31)).await;
    assert_eq!(s, 400, "at most 30 days: {g}");
    let (s, g) = grant(&w, "cs.zhou", "fin.wu", id, None).await;
    assert_eq!(s, 201, "{g}");
    let (s, body) = revoke(&w, "fin.wu", &g["id"]).await;
    assert_eq!(s, 403, "{body}");
    let stored = w.store.grants(common::phones_now()).unwrap();
    assert_eq!(
        (stored.len(), stored[0].revoked_at),
        (1, None),
        "still granted"
    );
}

/// Seed 001 §3.6(3): an A-grade customer is for marketing managers and above only, so a grant
/// on one is refused even to customer service, with nothing stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_on_an_a_grade_customer_is_refused() {
    let (w, _) = world().await;
    let id = customer(&w, CustomerGrade::A).await;
    let (s, body) = grant(&w, "cs.zhou", "fin.wu", id, None).await;
    assert_eq!(s, 403, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("A级客户") && error.contains("A-grade"),
        "{error}"
    );
    assert_eq!(stored_grants(&w), 0);
    assert!(!holds(w.device("fin.wu"), id).await);
}

/// Seed 001 §3.6(4): the finance manager's stock client, without a grant, is answered as if
/// the customer did not exist and its forced change is refused with nothing stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_finance_managers_stock_client_neither_reads_nor_writes_a_customer_without_a_grant() {
    let (w, _) = world().await;
    let id = customer(&w, CustomerGrade::B).await;
    let before = w.store.load_doc(id).unwrap();
    let (read, write) = common::raw_read_then_write(&w, w.device("fin.wu"), id).await;
    assert_eq!(read.unwrap_err(), "unavailable");
    assert!(write.contains("scope"), "{write}");
    assert_eq!(w.store.load_doc(id).unwrap(), before, "nothing stored");
}
