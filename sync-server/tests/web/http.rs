//! The pages over plain HTTP: sign-in and sign-out, the 401 redirect, bilingual error pages,
//! what each role sees, and the desk's forms with their CSRF tokens.

use fieldbook_core::model::ReceptionNote;
use fieldbook_sync_server::ServerStore;

use crate::common::World;
use crate::seed::{now, seed};

pub const PASSWORD: &str = "correct horse battery";

/// An answer: status, `Location`, `Set-Cookie`, body.
pub struct Got {
    pub status: u16,
    pub location: String,
    pub cookie: String,
    pub body: String,
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn got(req: reqwest::RequestBuilder, cookie: Option<&str>) -> Got {
    let req = match cookie {
        Some(c) => req.header("cookie", c),
        None => req,
    };
    let resp = req.send().await.unwrap();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let (status, location, cookie) = (
        resp.status().as_u16(),
        header("location"),
        header("set-cookie"),
    );
    Got {
        status,
        location,
        cookie,
        body: resp.text().await.unwrap(),
    }
}

pub async fn page(w: &World, path: &str, cookie: Option<&str>) -> Got {
    got(client().get(w.http(path)), cookie).await
}

pub async fn post(w: &World, path: &str, cookie: &str, form: &[(&str, &str)]) -> Got {
    got(client().post(w.http(path)).form(form), Some(cookie)).await
}

/// Signs in; returns the `Cookie` header to send.
pub async fn sign_in(w: &World, user: &str) -> String {
    let form = [("user", user), ("password", PASSWORD), ("next", "/")];
    let g = got(client().post(w.http("/login")).form(&form), None).await;
    assert_eq!(g.status, 303, "{}", g.body);
    g.cookie.split(';').next().unwrap().to_owned()
}

/// A page's text with the escapes minijinja writes undone.
pub fn text(body: &str) -> String {
    body.replace("&#x2f;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The CSRF token in a page's forms.
pub fn csrf(body: &str) -> String {
    let at = body
        .find("name=\"csrf\" value=\"")
        .expect("a form with a CSRF token");
    let rest = &body[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_and_out_through_the_accounts() {
    let w = World::start_at(now()).await;
    let g = page(&w, "/records?kind=customer", None).await;
    assert_eq!(
        (g.status, g.location.as_str()),
        (303, "/login?next=%2Frecords%3Fkind%3Dcustomer")
    );
    let g = page(&w, "/login", None).await;
    assert!(g.body.contains("登录 / Sign in"), "{}", g.body);

    let form = [("user", "cs.zhou"), ("password", "wrong"), ("next", "/")];
    let g = got(client().post(w.http("/login")).form(&form), None).await;
    assert_eq!(g.status, 401);
    assert!(text(&g.body).contains("用户名或密码错误 / wrong user name or password"));
    assert!(g.cookie.is_empty());

    let form = [
        ("user", "cs.zhou"),
        ("password", PASSWORD),
        ("next", "//evil.example"),
    ];
    let g = got(client().post(w.http("/login")).form(&form), None).await;
    assert_eq!(
        (g.status, g.location.as_str()),
        (303, "/"),
        "only a local page after login"
    );
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(g.cookie.contains(attr), "{}", g.cookie);
    }
    let cookie = g.cookie.split(';').next().unwrap().to_owned();
    let today = page(&w, "/", Some(&cookie)).await;
    assert_eq!(today.status, 200);
    assert!(today.body.contains("今日动态") && today.body.contains("cs.zhou · 客服经理"));

    // Signing out needs the form's token; then the cookie is worth nothing.
    let g = post(&w, "/logout", &cookie, &[("csrf", "forged")]).await;
    assert_eq!(g.status, 403);
    assert!(g.body.contains("表单已过期"));
    let g = post(&w, "/logout", &cookie, &[("csrf", &csrf(&today.body))]).await;
    assert_eq!((g.status, g.location.as_str()), (303, "/login"));
    assert!(g.cookie.contains("Max-Age=0"));
    assert_eq!(page(&w, "/", Some(&cookie)).await.status, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_show_what_the_role_may_see_and_log_customer_views() {
    let w = World::start_at(now()).await;
    let s = seed(&w).await;
    let li = sign_in(&w, "rep.li").await;
    let list = page(&w, "/records?kind=customer", Some(&li)).await;
    assert_eq!(list.status, 200);
    assert!(list.body.contains("王府井百货"), "{}", list.body);
    // Her A-grade customer is listed, marked, its details withheld (issue 17, seed 001 §3.6).
    assert!(
        list.body.contains("钻石集团") && list.body.contains("A-grade · withheld"),
        "the rep's A-grade customer, marked: {}",
        list.body
    );
    let g = page(&w, &format!("/records/{}", s.customer_b), Some(&li)).await;
    assert!(g.status == 200 && g.body.contains("张伟"), "{}", g.body);
    let g = page(&w, &format!("/records/{}", s.customer_a), Some(&li)).await;
    assert_eq!(g.status, 200);
    assert!(
        g.body.contains("钻石集团")
            && g.body.contains("A级客户：详情仅营销经理及以上可见")
            && g.body.contains("details for marketing managers and above"),
        "{}",
        g.body
    );
    assert!(
        !g.body.contains("刘强") && !g.body.contains("13912345678"),
        "no contact of an A-grade customer below marketing manager: {}",
        g.body
    );
    let wang = sign_in(&w, "rep.wang").await;
    let g = page(&w, &format!("/records/{}", s.customer_a), Some(&wang)).await;
    assert_eq!(g.status, 404, "another team's rep: not at all");
    assert!(g.body.contains("未找到") && g.body.contains("Not found"));
    assert!(!g.body.contains("钻石集团"));
    let search = page(&w, "/search?q=13912345678", Some(&li)).await;
    assert!(
        !search.body.contains("钻石集团"),
        "no hit on a withheld phone"
    );
    let search = page(&w, "/search?q=zuanshi", Some(&li)).await;
    assert!(search.body.contains("钻石集团"), "found by its name");

    let sun = sign_in(&w, "mkt.sun").await;
    let g = page(&w, &format!("/records/{}", s.customer_a), Some(&sun)).await;
    assert_eq!(g.status, 200);
    assert!(g.body.contains("钻石集团") && g.body.contains("修改历史"));
    let log = w.store.access_log(Some(s.customer_a), 10).unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "view" && e.user.as_str() == "mkt.sun" && e.device.is_some()),
        "the view is logged with the browser's device: {log:?}"
    );

    // Today: everything synced today, in scope.
    let today = page(&w, "/", Some(&li)).await;
    assert!(today.body.contains("季度回访") && today.body.contains("参观工厂"));
    assert!(!today.body.contains("刘强"));
    // Filters, pages and exports carry the same parameters.
    let g = page(&w, "/records?kind=customer&grade=B&per_page=1", Some(&sun)).await;
    assert!(
        text(&g.body).contains("export.csv?kind=customer&grade=B"),
        "{}",
        g.body
    );
    let g = page(&w, "/records?per_page=1&sort=title&order=asc", Some(&sun)).await;
    assert!(g.body.contains("page=2"), "page links");
    let metrics = page(&w, "/metrics", Some(&sun)).await;
    assert_eq!(metrics.body.matches("<svg").count(), 2, "{}", metrics.body);
    assert!(
        metrics.body.contains(">rep.wang: 1</title>"),
        "{}",
        metrics.body
    );
    let csv = page(&w, "/records/export.csv?kind=customer", Some(&sun)).await;
    assert!(csv.body.contains("钻石集团") && csv.body.contains("王府井百货"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_bilingual_pages() {
    let w = World::start_at(now()).await;
    let cookie = sign_in(&w, "cs.zhou").await;
    let cases = [
        ("/no/such/page", 404, "没有这个页面 / there is no such page"),
        (
            "/records/not-an-id",
            400,
            "无效的记录编号 / invalid record id",
        ),
        ("/records?colour=red", 400, "查询参数无效 / invalid query"),
        ("/records?kind=invoice", 400, "kind=invoice"),
        ("/records?per_page=9999", 400, "per_page"),
    ];
    for (path, status, message) in cases {
        let g = page(&w, path, Some(&cookie)).await;
        assert_eq!(g.status, status, "{path}");
        assert!(text(&g.body).contains(message), "{path}: {}", g.body);
        assert!(g.body.contains("<!doctype html>"), "{path}: an HTML page");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desk_forms_act_through_the_write_rules_and_reach_the_devices() {
    let w = World::start_at(now()).await;
    let s = seed(&w).await;
    let cs = sign_in(&w, "cs.zhou").await;
    let queue = page(&w, "/approvals", Some(&cs)).await;
    assert!(
        queue.body.contains("参观工厂") && queue.body.contains("¥800.00"),
        "{}",
        queue.body
    );
    let token = csrf(&queue.body);
    let path = format!("/records/{}/expense", s.reception);

    // A forged token or a bad decision changes nothing.
    let before = w.store.list_docs().unwrap();
    let g = post(&w, &path, &cs, &[("csrf", "x"), ("decision", "approve")]).await;
    assert_eq!(g.status, 403);
    let g = post(&w, &path, &cs, &[("csrf", &token), ("decision", "maybe")]).await;
    assert_eq!(g.status, 400);
    assert_eq!(w.store.list_docs().unwrap(), before);

    let form = [
        ("csrf", token.as_str()),
        ("decision", "approve"),
        ("comment", "同意"),
        ("back", "/approvals"),
    ];
    let g = post(&w, &path, &cs, &form).await;
    assert_eq!(
        (g.status, g.location.as_str()),
        (303, "/approvals?done=approve"),
        "{}",
        g.body
    );
    let li = w.device("rep.li");
    li.sync().await;
    let note: ReceptionNote = li.store.get(s.reception).unwrap();
    let a = note.expense.unwrap().cs_manager.unwrap();
    assert_eq!(
        (a.approved, a.by.as_str(), a.comment.as_str()),
        (true, "cs.zhou", "同意")
    );
    let queue = page(&w, "/approvals?done=approve", Some(&cs)).await;
    assert!(text(&queue.body).contains("已批准 / Approved.") && !queue.body.contains("参观工厂"));

    // The customer-service manager may not review (the write rules), nor the rep their own
    // report (the core's rule); the supervisor does, from the queue.
    let review = format!("/records/{}/review", s.report);
    let g = post(&w, &review, &cs, &[("csrf", &token), ("guidance", "好")]).await;
    assert_eq!(g.status, 403, "{}", g.body);
    let rep = sign_in(&w, "rep.li").await;
    let rep_token = csrf(&page(&w, "/", Some(&rep)).await.body);
    let g = post(
        &w,
        &review,
        &rep,
        &[("csrf", &rep_token), ("guidance", "好")],
    )
    .await;
    assert_eq!(g.status, 400, "{}", g.body);
    assert!(text(&g.body).contains("nobody reviews their own report"));
    let zhao = sign_in(&w, "sup.zhao").await;
    let queue = page(&w, "/reviews", Some(&zhao)).await;
    assert!(queue.body.contains("增加两台收银机"), "{}", queue.body);
    let form = [
        ("csrf", csrf(&queue.body)),
        ("guidance", "下次带上样品".into()),
        ("back", "/reviews".into()),
    ];
    let g = got(client().post(w.http(&review)).form(&form), Some(&zhao)).await;
    assert_eq!(
        (g.status, g.location.as_str()),
        (303, "/reviews?done=review"),
        "{}",
        g.body
    );
    let record = page(&w, &review.replace("/review", ""), Some(&zhao)).await;
    assert!(record.body.contains("下次带上样品"));
}

/// Reads server-sent events until one names `want`; returns every `change` id seen.
async fn events_until(resp: &mut reqwest::Response, want: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut buf = String::new();
    tokio::time::timeout(crate::common::T, async {
        while !seen.iter().any(|s: &String| s == want) {
            let chunk = resp.chunk().await.unwrap().expect("the stream stays open");
            buf.push_str(std::str::from_utf8(&chunk).unwrap());
            while let Some(end) = buf.find("\n\n") {
                let event: String = buf.drain(..end + 2).collect();
                if event.contains("event: change") {
                    let data = event.lines().find_map(|l| l.strip_prefix("data: "));
                    seen.push(data.unwrap().to_owned());
                }
            }
        }
    })
    .await
    .expect("the event arrived within the bound");
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_name_only_records_the_user_may_read_and_end_at_sign_out() {
    use fieldbook_core::model::{Customer, CustomerGrade};
    let w = World::start_at(now()).await;
    let li = sign_in(&w, "rep.li").await;
    let mut resp = client()
        .get(w.http("/events"))
        .header("cookie", &li)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");

    // An A-grade customer of rep.li made by the marketing manager, then rep.li's own.
    let mut a = Customer {
        name: "钻石集团".into(),
        grade: CustomerGrade::A,
        ..Customer::default()
    };
    a.meta.owner = crate::common::user("rep.li");
    let sun = w.device("mkt.sun");
    let a = sun.store.create(a).unwrap().meta.id.to_string();
    sun.sync().await;
    let phone = w.device("rep.li");
    let own = Customer {
        name: "王府井百货".into(),
        ..Customer::default()
    };
    let own = phone.store.create(own).unwrap().meta.id.to_string();
    phone.sync().await;
    let seen = events_until(&mut resp, &own).await;
    let view = fieldbook_core::access::view_id(a.parse().unwrap()).to_string();
    assert!(!seen.contains(&view), "never the view document: {seen:?}");

    let token = csrf(&page(&w, "/", Some(&li)).await.body);
    assert_eq!(
        post(&w, "/logout", &li, &[("csrf", &token)]).await.status,
        303
    );
    let end = tokio::time::timeout(crate::common::T, async {
        while resp.chunk().await.unwrap().is_some() {}
    });
    end.await.expect("the stream ends at sign-out");
}
