//! The reading pages: the day's activity, each record list (the API's filters as query
//! parameters, pages, CSV/XLSX links), one record with its history and open conflicts, and
//! search. Every read goes through [`Office`], which scopes it to the viewer and logs the
//! viewing of a customer.
//!
//! [`Office`]: crate::office::Office

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use fieldbook_core::RecordId;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::error::WebError;
use super::record::RecordView;
use super::render::{RowView, kind_names, kind_options, query_string, render, time};
use super::session::Session;
use crate::app_state::AppState;
use crate::office::{ExportFormat, ListQuery, Page, RecordFilter};
use crate::store::ServerStore;

pub(super) fn bad_query(r: QueryRejection) -> WebError {
    WebError::bad_request(crate::guard::query_problem(&r))
}

/// One entry of the day's activity.
#[derive(Debug, Serialize)]
struct ActivityView {
    row: RowView,
    changed_at: String,
    by: String,
    from_device: bool,
}

/// 今日动态 / Today: the records changed since midnight (company time), newest first.
pub async fn today<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    session: Session,
) -> Result<Response, WebError> {
    let office = &state.office;
    let cal = office.calendar();
    let now = state.hub.clock().now();
    let since = cal.start_of_day(cal.local_date(now));
    let changes = office.activity(&session.viewer, since).await?;
    let items: Vec<ActivityView> = changes
        .iter()
        .map(|a| ActivityView {
            row: RowView::new(&a.row, cal),
            changed_at: time(cal, a.changed_at),
            by: a.by.to_string(),
            from_device: a.device.is_some(),
        })
        .collect();
    let ctx = context! {
        me => session.me(), nav => "today", live => "page",
        day => cal.local_date(now).to_string(), items,
    };
    Ok(render("today.html", ctx)?.into_response())
}

/// The list query without its page: what the filter form, the page links and the exports
/// carry.
fn filter_pairs(q: &ListQuery) -> Vec<(&'static str, String)> {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        ("kind", o(&q.kind)),
        ("rep", o(&q.rep)),
        ("team", o(&q.team)),
        ("customer", o(&q.customer)),
        ("grade", o(&q.grade)),
        ("status", o(&q.status)),
        ("from", o(&q.from)),
        ("to", o(&q.to)),
        ("sort", o(&q.sort)),
        ("order", o(&q.order)),
    ]
}

/// A link to another page of the same list.
#[derive(Debug, Serialize)]
struct PageLink {
    number: usize,
    href: String,
    current: bool,
}

fn page_links(q: &ListQuery, page: &Page) -> Vec<PageLink> {
    let pages = page.total.div_ceil(page.per_page.max(1)).max(1);
    let shown = (1..=pages).filter(|n| *n <= 2 || *n + 2 > pages || n.abs_diff(page.page) <= 2);
    shown
        .map(|number| {
            let mut pairs = filter_pairs(q);
            pairs.push((
                "per_page",
                q.per_page.map(|p| p.to_string()).unwrap_or_default(),
            ));
            pairs.push(("page", number.to_string()));
            PageLink {
                number,
                href: format!("/records?{}", query_string(pairs)),
                current: number == page.page,
            }
        })
        .collect()
}

/// A record list: `/records?kind=customer&grade=B&page=2`, the API's parameters.
pub async fn records<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    session: Session,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let Query(q) = q.map_err(bad_query)?;
    let office = &state.office;
    let cal = office.calendar();
    let filter = RecordFilter::parse(&q, cal, true)?;
    let page = office.list(&session.viewer, &filter).await?;
    let rows: Vec<RowView> = page.records.iter().map(|r| RowView::new(r, cal)).collect();
    let (kind_zh, kind_en) = kind_names(q.kind.as_deref().unwrap_or(""));
    let export = query_string(filter_pairs(&q));
    let kinds = kind_options();
    let ctx = context! {
        me => session.me(), nav => q.kind.clone().unwrap_or_else(|| "records".into()),
        live => "page", kind_zh, kind_en, q => ListForm::from(&q), kinds, rows,
        total => page.total, pages => page_links(&q, &page), export,
    };
    Ok(render("records.html", ctx)?.into_response())
}

/// The filter form's values.
#[derive(Debug, Serialize)]
struct ListForm {
    kind: String,
    rep: String,
    team: String,
    customer: String,
    grade: String,
    status: String,
    from: String,
    to: String,
    sort: String,
    order: String,
}

impl From<&ListQuery> for ListForm {
    fn from(q: &ListQuery) -> Self {
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        ListForm {
            kind: o(&q.kind),
            rep: o(&q.rep),
            team: o(&q.team),
            customer: o(&q.customer),
            grade: o(&q.grade),
            status: o(&q.status),
            from: o(&q.from),
            to: o(&q.to),
            sort: o(&q.sort),
            order: o(&q.order),
        }
    }
}

async fn export_as<S: ServerStore>(
    state: &AppState<S>,
    session: &Session,
    q: Result<Query<ListQuery>, QueryRejection>,
    format: ExportFormat,
) -> Result<Response, WebError> {
    let Query(q) = q.map_err(bad_query)?;
    let filter = RecordFilter::parse(&q, state.office.calendar(), false)?;
    let bytes = state
        .office
        .export(&session.viewer, &filter, format)
        .await?;
    Ok(format.download(bytes))
}

/// The list as CSV (every matching record; exporting customers is logged).
pub async fn export_csv<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    session: Session,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    export_as(&state, &session, q, ExportFormat::Csv).await
}

/// The list as XLSX.
pub async fn export_xlsx<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    session: Session,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    export_as(&state, &session, q, ExportFormat::Xlsx).await
}

pub(super) fn record_id(id: &str) -> Result<RecordId, WebError> {
    id.parse()
        .map_err(|_| WebError::bad_request(format!("无效的记录编号 / invalid record id `{id}`")))
}

/// One record: its fields, what the desk may do with it, its history and open conflicts.
/// Out of scope answers 404, as one that does not exist; viewing a customer is logged.
pub async fn record<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = record_id(&id)?;
    let office = &state.office;
    let Some(detail) = office.record(&session.viewer, id).await? else {
        return Err(WebError::no_record());
    };
    let view = RecordView::new(&detail, &session, office.calendar());
    let ctx = context! { me => session.me(), nav => detail.row.kind.clone(), live => id.to_string(), r => view };
    Ok(render("record.html", ctx)?.into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Debug, Serialize)]
struct HitView {
    id: String,
    kind_zh: &'static str,
    kind_en: &'static str,
    title: String,
    field: String,
    matched: String,
}

/// Search, as on the phone: Chinese, pinyin or initials, phone numbers, lead codes.
pub async fn search<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    session: Session,
    q: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let Query(q) = q.map_err(bad_query)?;
    let text = q.q.trim();
    let hits = if text.is_empty() {
        Vec::new()
    } else {
        state.office.search(&session.viewer, text, 100).await?
    };
    let hits: Vec<HitView> = hits
        .into_iter()
        .map(|h| {
            let (kind_zh, kind_en) = kind_names(&h.kind);
            HitView {
                id: h.id.to_string(),
                kind_zh,
                kind_en,
                title: h.title,
                field: h.field,
                matched: h.matched,
            }
        })
        .collect();
    let ctx = context! { me => session.me(), nav => "search", q => text, searched => !text.is_empty(), hits };
    Ok(render("search.html", ctx)?.into_response())
}
