//! Night: what the supervisor and the back office see of the merged day, and the checks that
//! nothing was lost — every edit of the ledger on the server, every device identical to it.

use anyhow::Context;
use chrono::TimeDelta;
use fieldbook_core::model::{LeadReferral, VisitPlan};
use fieldbook_core::queries::metrics::invitation_metrics;
use fieldbook_core::rules::ownership;
use serde_json::Value as Json;

use crate::fleet::Fleet;
use crate::ledger::Ledger;
use crate::people::name;
use crate::process::{self, title};
use crate::report::{DayReport, Section};

/// Runs every check (each is in the report; the caller counts the failed ones).
pub fn check(f: &Fleet, ledger: &Ledger, report: &mut DayReport) -> anyhow::Result<()> {
    let mut lost = Vec::new();
    for e in &ledger.expected {
        let doc = f
            .server_doc(e.record)?
            .with_context(|| format!("server lacks {}", e.record))?;
        let shown = doc
            .to_json()
            .pointer(&e.pointer)
            .cloned()
            .unwrap_or(Json::Null);
        let in_conflict = doc.conflicts().iter().any(|c| {
            c.path == e.pointer
                && (c.winner.value == e.value || c.others.iter().any(|o| o.value == e.value))
        });
        if shown != e.value && !in_conflict {
            lost.push(format!(
                "{} {} ({})",
                title(f, e.record)?,
                e.pointer,
                name(&e.by)
            ));
        }
    }
    report.check(
        lost.is_empty(),
        format!(
            "{} 处编辑全部在服务器上 / all {} edits present on the server{}",
            ledger.expected.len(),
            ledger.expected.len(),
            if lost.is_empty() {
                String::new()
            } else {
                format!(" — LOST: {}", lost.join("; "))
            }
        ),
    );
    let (held, differing) = compare_devices(f)?;
    report.check(differing == 0, format!(
        "各设备持有的 {held} 份记录与服务器完全一致 / the {held} record copies on devices equal the server's ({differing} differ)"
    ));
    refusal_check(f, report)?;
    conflict_check(f, ledger, report)
}

/// Every step passed the server's judge: no sync reported a refusal, and no phone holds one
/// (what the app would show its user, kept across cut connections).
fn refusal_check(f: &Fleet, report: &mut DayReport) -> anyhow::Result<()> {
    let mut held = Vec::new();
    for d in &f.devices {
        for r in d.store.refusals()? {
            held.push(format!(
                "{}（{}）: {}",
                title(f, r.record)?,
                name(&d.user),
                r.reason
            ));
        }
    }
    let refused = f.refused().max(held.len() as u64);
    report.check(
        refused == 0,
        format!(
            "每一步都通过了服务器的规则审核（{refused} 次拒绝）/ the server's judge accepted every step ({refused} refused){}",
            if held.is_empty() { String::new() } else { format!(" — {}", held.join("; ")) }
        ),
    );
    Ok(())
}

fn compare_devices(f: &Fleet) -> anyhow::Result<(usize, usize)> {
    let (mut held, mut differing) = (0, 0);
    for d in &f.devices {
        for s in d.store.list(None)? {
            held += 1;
            if f.server_json(s.id)? != Some(d.store.get_json(s.id)?) {
                differing += 1;
            }
        }
    }
    Ok((held, differing))
}

fn conflict_check(f: &Fleet, ledger: &Ledger, report: &mut DayReport) -> anyhow::Result<()> {
    let contested = [
        (ledger.contested_visit, "/purpose", ("拜访", "visit")),
        (ledger.shared_customer, "/notes", ("客户", "customer")),
    ];
    let mut rows = Vec::new();
    for (id, field, (zh, en)) in contested {
        let Some(id) = id else {
            continue;
        };
        let doc = f.server_doc(id)?.context("contested record missing")?;
        let conflicts = doc.conflicts();
        let visible = conflicts.iter().any(|c| c.path == field);
        report.check(
            visible,
            format!(
                "{zh}的同一字段并发修改可见，双方的值都保留 / the same-field conflict on the {en} is visible, both values kept"
            ),
        );
        let record = title(f, id)?;
        rows.extend(conflicts.iter().map(|c| {
            let others: Vec<String> = c.others.iter().map(|o| shown(&o.value)).collect();
            vec![
                record.clone(),
                c.path.clone(),
                shown(&c.winner.value),
                others.join("；"),
            ]
        }));
    }
    report.sections.push(Section {
        heading: "字段冲突 / Field conflicts".into(),
        columns: vec![
            "记录 / record".into(),
            "字段 / field".into(),
            "显示值 / shown".into(),
            "另一值 / other values".into(),
        ],
        rows,
    });
    Ok(())
}

/// A field's value as text (a string without its JSON quotes).
fn shown(v: &Json) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// The supervisor's view: visits, invitation metrics per rep, and the lead owner decision.
pub fn views(f: &Fleet, ledger: &Ledger, report: &mut DayReport) -> anyhow::Result<()> {
    let mut plans = Vec::new();
    for (_, id) in &ledger.visits {
        let doc = f.server_doc(*id)?.context("visit missing on the server")?;
        plans.push(doc.read::<VisitPlan>()?);
    }
    report.sections.push(Section {
        heading: "拜访 / Visits".into(),
        columns: vec![
            "销售 / rep".into(),
            "客户 / customer".into(),
            "目的 / purpose".into(),
            "状态 / status".into(),
            "人数或婉拒原因 / attendees or reason".into(),
        ],
        rows: plans
            .iter()
            .map(|p| {
                vec![
                    name(&p.rep),
                    p.customer_id
                        .map(|c| title(f, c).unwrap_or_default())
                        .unwrap_or_default(),
                    p.purpose.clone(),
                    process::status_text(&p.status).to_owned(),
                    p.attendees
                        .map_or_else(|| p.decline_reason.clone(), |n| n.to_string()),
                ]
            })
            .collect(),
    });
    let (from, to) = (
        f.cal.start_of_day(f.day()) - TimeDelta::days(1),
        f.cal.end_of_day(f.day()),
    );
    let mut reps: Vec<_> = ledger.visits.iter().map(|(r, _)| r.clone()).collect();
    reps.dedup();
    let pct = |r: fieldbook_core::queries::metrics::Rate| {
        r.percent().map_or("—".into(), |p| format!("{p:.0}%"))
    };
    report.sections.push(Section {
        heading: "邀约指标 / Invitation metrics".into(),
        columns: vec![
            "销售 / rep".into(),
            "邀约成功率 / success".into(),
            "反馈率 / feedback".into(),
            "到场率 / attendance".into(),
        ],
        rows: reps
            .iter()
            .map(|r| {
                let m = invitation_metrics(&plans, std::slice::from_ref(r), from, to);
                vec![
                    name(r),
                    pct(m.success_rate()),
                    pct(m.feedback_rate()),
                    pct(m.attendance_rate()),
                ]
            })
            .collect(),
    });
    owner_decision(f, ledger, report)?;
    process::event::show(f, ledger, report)?;
    process::pipeline::show(f, ledger, report)?;
    process::proposal::show(f, ledger, report)?;
    process::week::show(f, ledger, report)
}

fn owner_decision(f: &Fleet, ledger: &Ledger, report: &mut DayReport) -> anyhow::Result<()> {
    let mut leads = Vec::new();
    for id in &ledger.contested_leads {
        let doc = f
            .server_doc(*id)?
            .with_context(|| format!("lead {id} missing on the server"))?;
        leads.push(doc.read::<LeadReferral>()?);
    }
    let Some(decision) = ownership::decide(&leads) else {
        return Ok(());
    };
    let owner = name(&decision.winner.owner);
    report.check(
        true,
        format!("线索归属已决定：{owner} / lead owner decided: {owner}"),
    );
    let when = decision
        .winner
        .effective_at
        .map_or_else(String::new, |t| f.label(t));
    report.sections.push(Section {
        heading: "线索归属（谁先登记归谁）/ Lead ownership (first to register owns it)".into(),
        columns: vec![
            "客户 / prospect".into(),
            "登记人 / registered by".into(),
            "线索编号 / lead code".into(),
            "说明 / explanation".into(),
        ],
        rows: leads
            .iter()
            .map(|l| {
                let explanation = if decision.owns(l.meta.id) {
                    format!("{owner} 最先登记（{when}），线索归其所有 / {owner} registered first ({when}) and owns the lead")
                } else {
                    format!(
                        "{owner} 已先登记（{when}），按“谁先登记算谁的”归 {owner} / {owner} registered first ({when}); whoever registers first owns it"
                    )
                };
                vec![
                    format!("{}（{}）", l.prospect.company, l.prospect.name),
                    name(&l.meta.owner),
                    l.code.clone(),
                    explanation,
                ]
            })
            .collect(),
    });
    Ok(())
}
