//! The supervisor's week (seed 004: visits and A/B customers per rep per week), as his phone
//! computes it offline with the core's public query. What the query counts is the core's to
//! define; the demo shows its figures and checks that the supervisor's phone and each rep's
//! phone agree on them after the day's syncs.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use fieldbook_core::UserId;
use fieldbook_core::model::{VisitPlan, VisitStatus};
use fieldbook_core::queries::weekly::{WeekSummary, weekly_summary_from_store};

use crate::fleet::Fleet;
use crate::ledger::Ledger;
use crate::people::{SUPERVISOR, name, reps};
use crate::report::{DayReport, Section};

/// Night: the week on the supervisor's phone, beside each rep's own.
pub fn show(f: &Fleet, ledger: &Ledger, report: &mut DayReport) -> anyhow::Result<()> {
    let day = f.day();
    let monday = day - Days::new(u64::from(day.weekday().num_days_from_monday()));
    let sup = f.device(SUPERVISOR)?;
    let week = weekly_summary_from_store(&sup.store, monday, &f.cal)?;
    let (rows, agree, missing) = compare(f, ledger, &week, monday)?;
    report.sections.push(Section {
        heading: format!(
            "主管的一周 / The supervisor's week — {}，{} 至 / to {}",
            name(&sup.user),
            monday.format("%m-%d"),
            (monday + Days::new(6)).format("%m-%d")
        ),
        columns: [
            "销售 / rep",
            "本周拜访 / visits this week",
            "A/B 类客户 / A/B customers",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    });
    report.check(
        agree,
        "主管手机上的周报与各销售手机上的一致 / the supervisor's week agrees with each rep's own phone",
    );
    report.check(
        missing.is_empty(),
        format!(
            "主管的周报列出了每位有拜访的销售 / the supervisor's week lists every rep who made visits{}",
            if missing.is_empty() {
                String::new()
            } else {
                format!(" — 缺少 / missing: {}", missing.join("、"))
            }
        ),
    );
    Ok(())
}

/// Each rep's line as the supervisor sees it; whether every rep's own phone agrees; the reps
/// who made visits but are missing from the supervisor's week.
fn compare(
    f: &Fleet,
    ledger: &Ledger,
    week: &BTreeMap<UserId, WeekSummary>,
    monday: NaiveDate,
) -> anyhow::Result<(Vec<Vec<String>>, bool, Vec<String>)> {
    let mut rows = Vec::new();
    let mut agree = true;
    let mut missing = Vec::new();
    for rep in reps(f) {
        let seen = week.get(&rep.user).cloned().unwrap_or_default();
        let own = weekly_summary_from_store(&rep.store, monday, &f.cal)?
            .get(&rep.user)
            .cloned()
            .unwrap_or_default();
        agree &= own == seen;
        if visited(f, ledger, rep.user.as_str())? && seen.visits == 0 {
            missing.push(name(&rep.user));
        }
        rows.push(vec![
            name(&rep.user),
            seen.visits.to_string(),
            seen.ab_customers.to_string(),
        ]);
    }
    Ok((rows, agree, missing))
}

/// Whether `rep` held one of the day's visits (the server's merged copy says attended).
fn visited(f: &Fleet, ledger: &Ledger, rep: &str) -> anyhow::Result<bool> {
    for (_, id) in ledger.today.iter().filter(|(r, _)| r.as_str() == rep) {
        if let Some(doc) = f.server_doc(*id)?
            && doc.read::<VisitPlan>()?.status == VisitStatus::Attended
        {
            return Ok(true);
        }
    }
    Ok(false)
}
