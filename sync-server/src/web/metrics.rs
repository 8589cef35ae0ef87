//! 指标 / Metrics: the API's metrics (the core's query code over what the viewer may read)
//! as a page: the invitation funnel and the visits per rep per week as inline SVG charts, the
//! invitations by rep, what is overdue, and the trade-show lead response.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::TimeDelta;
use fieldbook_core::WorkCalendar;
use minijinja::context;
use serde::Serialize;

use super::charts::{Stage, funnel, grouped_bars};
use super::error::WebError;
use super::pages::bad_query;
use super::render::{render, time};
use super::session::Session;
use crate::app_state::AppState;
use crate::office::{InvitationView, Metrics, MetricsQuery, Overdue, RateView};
use crate::store::ServerStore;

fn rate(r: &RateView) -> String {
    match r.percent {
        Some(p) => format!("{p:.1}% ({}/{})", r.numerator, r.denominator),
        None => "—".into(),
    }
}

fn duration(secs: i64) -> String {
    let (d, h) = (secs / 86_400, (secs % 86_400) / 3_600);
    format!("{d} 天 {h} 小时 / {d} d {h} h")
}

#[derive(Debug, Serialize)]
struct RepRow {
    rep: String,
    invited: u64,
    responded: u64,
    accepted: u64,
    attended: u64,
    success: String,
}

impl From<&InvitationView> for RepRow {
    fn from(v: &InvitationView) -> Self {
        RepRow {
            rep: v.rep.clone().unwrap_or_default(),
            invited: v.invited,
            responded: v.responded,
            accepted: v.accepted,
            attended: v.attended,
            success: rate(&v.success_rate),
        }
    }
}

#[derive(Debug, Serialize)]
struct OverdueRow {
    what: &'static str,
    id: String,
    rep: String,
    title: String,
    due_at: String,
}

fn overdue(what: &'static str, o: &Overdue, cal: &WorkCalendar) -> OverdueRow {
    OverdueRow {
        what,
        id: o.record.to_string(),
        rep: o.rep.clone(),
        title: o.title.clone(),
        due_at: time(cal, o.due_at),
    }
}

#[derive(Debug, Serialize)]
struct TradeRow {
    leads: u64,
    on_target: u64,
    within_limit: u64,
    late: u64,
    waiting: u64,
    overdue: u64,
    median: String,
}

/// The page's numbers.
#[derive(Debug, Serialize)]
struct MetricsView {
    from: String,
    to: String,
    team: String,
    success: String,
    feedback: String,
    attendance: String,
    by_rep: Vec<RepRow>,
    overdue: Vec<OverdueRow>,
    trade: TradeRow,
}

impl MetricsView {
    fn new(m: &Metrics, cal: &WorkCalendar) -> MetricsView {
        let t = &m.trade_show;
        let mut overdue_rows: Vec<OverdueRow> = m
            .overdue_reports
            .iter()
            .map(|o| overdue("回访报告 / report", o, cal))
            .collect();
        overdue_rows.extend(
            m.overdue_follow_ups
                .iter()
                .map(|o| overdue("线索跟进 / follow-up", o, cal)),
        );
        MetricsView {
            from: cal.local_date(m.from).to_string(),
            to: cal
                .local_date(m.to - TimeDelta::milliseconds(1))
                .to_string(),
            team: m.team.clone().unwrap_or_default(),
            success: rate(&m.invitations.success_rate),
            feedback: rate(&m.invitations.feedback_rate),
            attendance: rate(&m.invitations.attendance_rate),
            by_rep: m.invitations_by_rep.iter().map(RepRow::from).collect(),
            overdue: overdue_rows,
            trade: TradeRow {
                leads: t.leads,
                on_target: t.on_target,
                within_limit: t.within_limit,
                late: t.late,
                waiting: t.waiting,
                overdue: t.overdue,
                median: t.median_response_secs.map(duration).unwrap_or_default(),
            },
        }
    }
}

fn funnel_chart(m: &Metrics) -> String {
    let i = &m.invitations;
    let stage = |label: &str, count| Stage {
        label: label.into(),
        count,
    };
    funnel(
        "邀约漏斗 / Invitation funnel",
        &[
            stage("邀约 / invited", i.invited),
            stage("反馈 / responded", i.responded),
            stage("接受 / accepted", i.accepted),
            stage("到场 / attended", i.attended),
        ],
    )
}

fn weekly_chart(m: &Metrics) -> String {
    let weeks: Vec<_> = m
        .weeks
        .iter()
        .map(|w| w.week_start)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let reps: Vec<String> = m
        .weeks
        .iter()
        .map(|w| w.rep.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let values: Vec<Vec<u32>> = reps
        .iter()
        .map(|rep| {
            weeks
                .iter()
                .map(|week| {
                    m.weeks
                        .iter()
                        .filter(|w| &w.rep == rep && &w.week_start == week)
                        .map(|w| w.visits)
                        .sum()
                })
                .collect()
        })
        .collect();
    let labels: Vec<String> = weeks
        .iter()
        .map(|d| d.format("%m-%d").to_string())
        .collect();
    grouped_bars(
        "每周拜访（周一起） / Visits per rep per week (from Monday)",
        &labels,
        &reps,
        &values,
    )
}

/// The metrics page: `/metrics?from=&to=&team=`, the API's parameters.
pub async fn metrics<S: ServerStore>(
    State(state): State<Arc<AppState<S>>>,
    session: Session,
    q: Result<Query<MetricsQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let Query(q) = q.map_err(bad_query)?;
    let office = &state.office;
    let m = office.metrics(&session.viewer, &q).await?;
    let view = MetricsView::new(&m, office.calendar());
    let form = context! {
        from => q.from.clone().unwrap_or_default(),
        to => q.to.clone().unwrap_or_default(),
        team => q.team.clone().unwrap_or_default(),
    };
    let ctx = context! {
        me => session.me(), nav => "metrics", live => "page", m => view, q => form,
        funnel => funnel_chart(&m), weekly => weekly_chart(&m),
    };
    Ok(render("metrics.html", ctx)?.into_response())
}
