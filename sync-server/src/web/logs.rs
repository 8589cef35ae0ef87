//! 拜访记录 / Daily logs (seed 003): a month of the daily visit logs the viewer may read — the
//! rep, the day, when it was reported and whether late, each entry with its point (backed by a
//! real visit or not), the acknowledgement — and the month's tally per rep (points of the 30
//! required, working days without a log, the cleaning duty). A supervisor acknowledges her
//! rep's reported log from the page: a form POST with the session's CSRF token, through the
//! same [`Office`] action as the JSON API, judged as a phone's change; a refusal is an error
//! page with the rule's bilingual message, nothing changed.
//!
//! [`Office`]: crate::office::Office

use std::sync::Arc;

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use fieldbook_core::WorkCalendar;
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::desk::{DeskForm, desk_form, done_to};
use super::error::WebError;
use super::pages::bad_query;
use super::render::{render, time};
use super::session::Session;
use crate::app_state::AppState;
use crate::office::{EntryItem, EntryPoint, LogItem, RepMonthLogs, month_label, parse_month};
use crate::store::ServerStore;

/// The page's query: `?month=2026-11&team=east`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsQuery {
    month: Option<String>,
    team: Option<String>,
    done: Option<String>,
}

/// One entry of a log.
#[derive(Debug, Serialize)]
struct EntryView {
    customer: String,
    customer_id: String,
    in_depth: bool,
    note: String,
    point: &'static str,
    /// `ok`, `bad` or empty: how the point is shown.
    class: &'static str,
}

impl From<&EntryItem> for EntryView {
    fn from(i: &EntryItem) -> Self {
        let (point, class) = match i.point {
            EntryPoint::Point => ("1 分 / 1 point", "ok"),
            EntryPoint::Unbacked => ("无拜访记录，不计分 / unbacked: no point", "bad"),
            EntryPoint::Repeat => ("同日同客户只计一分 / counted once a day", ""),
            EntryPoint::NotInDepth => ("非深入拜访 / not in depth", ""),
            EntryPoint::NotCounted => ("草稿，不计分 / draft: not counted", ""),
        };
        let id = i
            .entry
            .customer_id
            .map(|c| c.to_string())
            .unwrap_or_default();
        EntryView {
            customer: i.customer.clone().unwrap_or_else(|| id.clone()),
            customer_id: id,
            in_depth: i.entry.in_depth,
            note: i.entry.note.clone(),
            point,
            class,
        }
    }
}

/// One log.
#[derive(Debug, Serialize)]
struct LogView {
    id: String,
    rep: String,
    team: String,
    day: String,
    status: &'static str,
    submitted_at: String,
    late: bool,
    problems: String,
    next_day_plan: String,
    entries: Vec<EntryView>,
    ack_by: String,
    ack_at: String,
    ack_comment: String,
    may_acknowledge: bool,
}

impl LogView {
    fn new(i: &LogItem, cal: &WorkCalendar) -> LogView {
        let l = &i.log;
        let ack = l.acknowledged.as_ref();
        let status = match (l.submitted_at, ack) {
            (_, Some(_)) => "已确认 / acknowledged",
            (Some(_), None) => "待确认 / awaiting acknowledgement",
            (None, None) => "草稿 / draft",
        };
        LogView {
            id: i.row.id.to_string(),
            rep: l.rep.to_string(),
            team: i.row.team.clone().unwrap_or_default(),
            day: l.day.map(|d| d.to_string()).unwrap_or_default(),
            status,
            submitted_at: l.submitted_at.map(|t| time(cal, t)).unwrap_or_default(),
            late: i.late,
            problems: l.problems.clone(),
            next_day_plan: l.next_day_plan.clone(),
            entries: i.entries.iter().map(EntryView::from).collect(),
            ack_by: ack.map(|a| a.by.to_string()).unwrap_or_default(),
            ack_at: ack.map(|a| time(cal, a.at)).unwrap_or_default(),
            ack_comment: ack.map(|a| a.comment.clone()).unwrap_or_default(),
            may_acknowledge: i.may_acknowledge,
        }
    }
}

/// One rep's month.
#[derive(Debug, Serialize)]
struct TallyView {
    rep: String,
    points: u32,
    required: u32,
    short_by: u32,
    logs_submitted: u32,
    late_logs: u32,
    missing: usize,
    missing_days: String,
    unbacked: usize,
    month_closed: bool,
    cleaning_duty: bool,
}

impl From<&RepMonthLogs> for TallyView {
    fn from(t: &RepMonthLogs) -> Self {
        let days: Vec<String> = t.days_without_log.iter().map(|d| d.to_string()).collect();
        TallyView {
            rep: t.rep.clone(),
            points: t.points,
            required: t.required,
            short_by: t.short_by,
            logs_submitted: t.logs_submitted,
            late_logs: t.late_logs,
            missing: days.len(),
            missing_days: days.join(", "),
            unbacked: t.unbacked.len(),
            month_closed: t.month_closed,
            cleaning_duty: t.cleaning_duty,
        }
    }
}

fn given(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// 拜访记录 / Daily logs: `/daily-logs?month=2026-11&team=east`.
pub async fn daily_logs<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    session: Session,
    q: Result<Query<LogsQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let Query(q) = q.map_err(bad_query)?;
    let month = given(q.month).as_deref().map(parse_month).transpose()?;
    let team = given(q.team);
    let office = &state.office;
    let cal = office.calendar();
    let m = office
        .daily_log_month(&session.viewer, month, team.as_deref())
        .await?;
    let logs: Vec<LogView> = m.logs.iter().map(|i| LogView::new(i, cal)).collect();
    let tallies: Vec<TallyView> = m.tallies.iter().map(TallyView::from).collect();
    let ctx = context! {
        me => session.me(), nav => "daily-logs", live => "page", month => month_label(m.month),
        team => m.team.unwrap_or_default(), logs, tallies, done => q.done,
    };
    Ok(render("daily_logs.html", ctx)?.into_response())
}

#[derive(Debug, Deserialize)]
pub struct AckForm {
    csrf: String,
    #[serde(default)]
    comment: String,
    back: Option<String>,
}

impl DeskForm for AckForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// The rep's supervisor acknowledges a reported daily log.
pub async fn acknowledge<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    session: Session,
    Path(id): Path<String>,
    f: Result<Form<AckForm>, FormRejection>,
) -> Result<Response, WebError> {
    let (f, id) = desk_form(&session, &id, f)?;
    let done = state
        .office
        .acknowledge_log(&session.viewer, id, &f.comment)
        .await?;
    done_to(done, f.back.as_deref(), id, "acknowledge")
}
