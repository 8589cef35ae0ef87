//! Lists, one record with its history and conflicts, search and exports, in the viewer's
//! scope: a rep never sees an A-grade customer, and every bad query is a bilingual 400.

use super::*;

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
async fn a_rep_sees_her_a_grade_customer_only_redacted_by_list_get_search_or_export() {
    // Seed 001 §3.6: A-grade details are for marketing managers and above; the rep who owns
    // the customer sees it with its contacts and details withheld, never its phone or contact.
    let w = World::start_at(now()).await;
    let c = customers(&w).await;
    let li = token(&w, "rep.li");
    let (_, page) = get(&w, "/api/v1/records", &li).await;
    let mut listed = ids(&page);
    listed.sort();
    let mut both = vec![c.a.to_string(), c.b.to_string()];
    both.sort();
    assert_eq!(listed, both);
    let row = |id: RecordId| {
        page["records"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id.to_string())
            .cloned()
            .unwrap()
    };
    assert_eq!(row(c.a)["redacted"], json!(true), "{page}");
    assert_eq!(row(c.b)["redacted"], json!(false), "{page}");
    let (s, body) = get(&w, &format!("/api/v1/records/{}", c.a), &li).await;
    assert_eq!(s, 200, "{body}");
    assert!(body["notice"].as_str().unwrap().contains(" / "), "{body}");
    assert!(!body.to_string().contains("13912345678"), "{body}");
    for q in ["13912345678", "刘强"] {
        let (s, hits) = get(&w, &format!("/api/v1/search?q={}", urlencode(q)), &li).await;
        assert_eq!((s, hits["hits"].clone()), (200, json!([])), "{q}");
    }
    for q in ["钻石", "zsjt"] {
        let (_, hits) = get(&w, &format!("/api/v1/search?q={}", urlencode(q)), &li).await;
        assert_eq!(hits["hits"][0]["id"], c.a.to_string(), "{q}: {hits}");
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
            text.contains("王府井百货") && text.contains("钻石") && !text.contains("13912345678"),
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
