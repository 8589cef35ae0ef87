//! Templates and the words on the pages. The templates are compiled into the binary
//! (`include_str!`) and loaded once; minijinja escapes every value in `.html` templates, so a
//! customer's name can never become markup. Times are shown in the company's zone.

use std::sync::LazyLock;

use axum::response::Html;
use chrono::{DateTime, Utc};
use fieldbook_core::WorkCalendar;
use fieldbook_core::access::Role;
use minijinja::Environment;
use serde::Serialize;

use super::error::WebError;
use crate::office::{RecordRow, UNKNOWN_TIME};

const TEMPLATES: [(&str, &str); 12] = [
    ("base.html", include_str!("templates/base.html")),
    ("login.html", include_str!("templates/login.html")),
    ("error.html", include_str!("templates/error.html")),
    ("today.html", include_str!("templates/today.html")),
    ("records.html", include_str!("templates/records.html")),
    ("record.html", include_str!("templates/record.html")),
    ("search.html", include_str!("templates/search.html")),
    ("reviews.html", include_str!("templates/reviews.html")),
    ("approvals.html", include_str!("templates/approvals.html")),
    ("metrics.html", include_str!("templates/metrics.html")),
    ("daily_logs.html", include_str!("templates/daily_logs.html")),
    ("macros.html", include_str!("templates/macros.html")),
];

static ENV: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        // A template that does not parse is a build mistake; the unit test below catches it.
        if let Err(e) = env.add_template(name, source) {
            tracing::error!(template = name, error = %e, "template does not parse");
        }
    }
    env.add_global(
        "menu_kinds",
        minijinja::Value::from_serialize(kind_options()),
    );
    env
});

/// Renders a template with `ctx`.
pub fn render(name: &str, ctx: impl Serialize) -> Result<Html<String>, WebError> {
    let text = ENV
        .get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| {
            tracing::error!(template = name, error = %e, "template failed");
            WebError::internal()
        })?;
    Ok(Html(text))
}

/// A time as the desk reads it: `2026-12-10 17:00` in the company's zone.
pub fn time(cal: &WorkCalendar, at: DateTime<Utc>) -> String {
    at.with_timezone(&cal.time_zone())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// A kind's names, Chinese and English.
pub fn kind_names(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "customer" => ("客户档案", "Customers"),
        "visit_plan" => ("拜访计划", "Visit plans"),
        "reception_note" => ("来访接待", "Receptions"),
        "return_visit_report" => ("回访报告", "Return-visit reports"),
        "lead_referral" => ("线索", "Leads"),
        "daily_log" => ("拜访记录表", "Daily visit logs"),
        _ => ("记录", "Records"),
    }
}

/// The kinds in the order the menu shows them.
pub const KINDS: [&str; 5] = [
    "customer",
    "visit_plan",
    "reception_note",
    "return_visit_report",
    "lead_referral",
];

/// A kind for a menu or a select.
#[derive(Debug, Clone, Serialize)]
pub struct KindOption {
    pub value: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

/// Every kind, in menu order.
pub fn kind_options() -> Vec<KindOption> {
    KINDS
        .iter()
        .map(|k| {
            let (zh, en) = kind_names(k);
            KindOption { value: k, zh, en }
        })
        .collect()
}

/// A role's names, Chinese and English.
pub fn role_names(role: Option<Role>) -> (&'static str, &'static str) {
    match role {
        Some(Role::FieldRep) => ("业务员", "Field rep"),
        Some(Role::Supervisor) => ("主管", "Supervisor"),
        Some(Role::MarketingManager) => ("营销经理", "Marketing manager"),
        Some(Role::CustomerServiceManager) => ("客服经理", "Customer-service manager"),
        Some(Role::FinanceManager) => ("财务经理", "Finance manager"),
        Some(Role::Admin) => ("管理员", "Admin"),
        None => ("未知", "Unknown"),
    }
}

/// A list row as a page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    pub id: String,
    pub kind: String,
    pub kind_zh: &'static str,
    pub kind_en: &'static str,
    pub title: String,
    pub rep: String,
    pub team: String,
    pub status: String,
    pub grade: String,
    pub key_at: String,
    pub created_at: String,
    /// An A-grade customer shown redacted (issue 17): the marker's text, else empty.
    pub notice: &'static str,
}

impl RowView {
    pub fn new(row: &RecordRow, cal: &WorkCalendar) -> RowView {
        let (kind_zh, kind_en) = kind_names(&row.kind);
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        RowView {
            id: row.id.to_string(),
            kind: row.kind.clone(),
            kind_zh,
            kind_en,
            title: if row.title.trim().is_empty() {
                "（无标题 / untitled）".into()
            } else {
                row.title.clone()
            },
            rep: row.rep.as_ref().map(|u| u.to_string()).unwrap_or_default(),
            team: opt(&row.team),
            status: opt(&row.status),
            grade: opt(&row.grade),
            key_at: row.key_at.map(|t| time(cal, t)).unwrap_or_default(),
            created_at: row
                .created_at
                .map_or_else(|| UNKNOWN_TIME.to_owned(), |t| time(cal, t)),
            notice: if row.redacted {
                crate::office::A_GRADE_NOTICE
            } else {
                ""
            },
        }
    }
}

/// Percent-encodes a query-string value.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A query string (`a=1&b=2`) of the pairs whose value is not empty.
pub fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, String)>) -> String {
    pairs
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(&v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_template_parses() {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn values_are_escaped_and_queries_encoded() {
        let html = render(
            "error.html",
            minijinja::context! {
                status => 404, title_zh => "未找到", title_en => "Not found",
                message => "<script>alert(1)</script>",
            },
        )
        .unwrap();
        assert!(!html.0.contains("<script>alert"), "{}", html.0);
        assert_eq!(
            query_string([("q", "王 府&".to_owned()), ("x", String::new())]),
            "q=%E7%8E%8B%20%E5%BA%9C%26"
        );
    }
}
