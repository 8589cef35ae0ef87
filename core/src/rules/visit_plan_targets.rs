//! Invitation targets per rep per month (seed 000 邀约目标设定): the sales department breaks its
//! invitation goal down per rep. A target lives in an invitation plan (a visit plan holding
//! `targets`, one per supervisor and month); the latest target set for a rep and month counts.

use chrono::{Datelike, NaiveDate};

use super::Action;
use crate::error::{Error, Result};
use crate::ids::UserId;
use crate::model::{InvitationTarget, VisitPlan};

/// The first day of `date`'s month.
pub fn month_of(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// Sets `rep`'s target for the month of `month` (a revision is a new entry).
pub fn set_target(
    plan: &mut VisitPlan,
    rep: UserId,
    month: NaiveDate,
    invitations: u32,
    accepted: u32,
    act: &Action,
) -> Result<()> {
    if invitations == 0 || accepted > invitations {
        return Err(Error::invalid(
            "invitations",
            "目标至少 1 次邀约，接受数不超过邀约数 / a target asks for at least one invitation, \
             and no more acceptances than invitations",
        ));
    }
    plan.targets.push(InvitationTarget {
        id: act.entry_id.clone(),
        rep,
        month: month_of(month),
        invitations,
        accepted,
        set_by: act.by.clone(),
        set_at: act.at,
    });
    Ok(())
}

/// The target that counts for each rep in `month`: the latest set, across every plan.
pub fn targets_for(plans: &[VisitPlan], month: NaiveDate) -> Vec<InvitationTarget> {
    let month = month_of(month);
    let mut latest: std::collections::BTreeMap<&UserId, &InvitationTarget> = Default::default();
    for t in plans
        .iter()
        .flat_map(|p| &p.targets)
        .filter(|t| t.month == month)
    {
        let newer = latest
            .get(&t.rep)
            .is_none_or(|cur| (t.set_at, &t.id) > (cur.set_at, &cur.id));
        if newer {
            latest.insert(&t.rep, t);
        }
    }
    latest.into_values().cloned().collect()
}
