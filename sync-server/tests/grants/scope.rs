//! The grant moves the scope: the finance manager's phone and desk gain the customer and lose
//! it on revocation and on expiry.

use chrono::TimeDelta;
use fieldbook_sync_server::ServerStore;

use super::*;

/// Seed 001 §3.6(4): without a grant the finance manager holds nothing of the customer; the
/// customer-service manager's grant brings it to her phone by sync and to the office API; the
/// grant is listed and audited; revoking takes it off her phone's index and her desk.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_granted_finance_manager_reads_the_customer_until_the_grant_is_revoked() {
    let (w, _) = world().await;
    let id = customer(&w, CustomerGrade::B).await;
    let fin = w.device("fin.wu");
    assert!(!holds(fin, id).await, "no grant: not on her phone");
    assert!(
        !desk_reads(&w, "fin.wu", id).await,
        "no grant: not on her desk"
    );
    assert!(
        desk_reads(&w, "cs.zhou", id).await,
        "customer service reads customer files"
    );
    let (s, g) = grant(&w, "cs.zhou", "fin.wu", id, None).await;
    assert_eq!(s, 201, "{g}");
    let days = (g["expires_at"]
        .as_str()
        .unwrap()
        .parse::<chrono::DateTime<chrono::Utc>>()
        .unwrap()
        - common::phones_now())
    .num_days();
    assert_eq!(
        (days, g["active"].clone()),
        (7, json!(true)),
        "seven days by default: {g}"
    );
    assert!(holds(fin, id).await, "granted: synced to her phone");
    assert!(desk_reads(&w, "fin.wu", id).await, "granted: on her desk");
    // The list: every grant for customer service, one's own for the grantee, none for others.
    let (_, all) = get(&w, "cs.zhou", "/api/v1/grants").await;
    assert_eq!(all[0]["grantee"], "fin.wu", "{all}");
    let (_, own) = get(&w, "fin.wu", "/api/v1/grants").await;
    assert_eq!(own.as_array().unwrap().len(), 1);
    let (_, none) = get(&w, "rep.wang", "/api/v1/grants").await;
    assert_eq!(none, json!([]));
    let (s, r) = revoke(&w, "cs.zhou", &g["id"]).await;
    assert_eq!((s, r["active"].clone()), (200, json!(false)), "{r}");
    assert!(!holds(fin, id).await, "revoked: off her phone");
    assert!(!desk_reads(&w, "fin.wu", id).await, "revoked: off her desk");
    // Still listed as recently ended; who granted and revoked what is in the access log.
    let (_, all) = get(&w, "cs.zhou", "/api/v1/grants").await;
    assert_eq!(all[0]["revoked_by"], "cs.zhou", "{all}");
    let actions: Vec<(String, String)> = w
        .store
        .access_log(Some(id), 100)
        .unwrap()
        .into_iter()
        .map(|e| (e.user.to_string(), e.action))
        .collect();
    for audited in ["grant:fin.wu", "revoke_grant:fin.wu"] {
        assert!(
            actions.contains(&("cs.zhou".into(), audited.into())),
            "{actions:?}"
        );
    }
}

/// Seed 001 §3.6(4): a grant ends by itself. A rep of another team granted for one day holds
/// the customer; once the server's clock passes the day, the upkeep takes it off his phone
/// and his desk, without anyone revoking it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_grant_takes_the_customer_off_the_phone_and_the_desk() {
    let (w, clock) = world().await;
    let id = customer(&w, CustomerGrade::B).await;
    let wang = w.device("rep.wang");
    assert!(!holds(wang, id).await);
    let (s, g) = grant(&w, "cs.zhou", "rep.wang", id, Some(1)).await;
    assert_eq!(s, 201, "{g}");
    assert!(holds(wang, id).await, "granted to another team's rep");
    clock.set(common::phones_now() + TimeDelta::hours(23));
    assert!(desk_reads(&w, "rep.wang", id).await, "not yet expired");
    clock.set(common::phones_now() + TimeDelta::days(1));
    let deadline = tokio::time::Instant::now() + common::T;
    while desk_view(&w, "rep.wang", id).await != (false, false, false) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the expired grant was never swept"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!desk_reads(&w, "rep.wang", id).await, "swept: off his desk");
    assert!(!holds(wang, id).await, "expired: off his phone");
    let (_, own) = get(&w, "rep.wang", "/api/v1/grants").await;
    assert_eq!(own[0]["active"], json!(false), "listed as ended: {own}");
}
