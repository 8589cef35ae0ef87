//! The lifecycle of a VisitPlan: which steps are legal, from which state, by whom.

use super::{Context, Verdict};
use crate::model::VisitPlan;

pub(super) fn judge(before: Option<&VisitPlan>, after: &VisitPlan, ctx: &Context<'_>) -> Verdict {
    let _ = (before, after, ctx);
    Ok(())
}
