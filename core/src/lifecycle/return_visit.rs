//! The lifecycle of a ReturnVisitReport: which steps are legal, from which state, by whom.

use super::{Context, Verdict};
use crate::model::ReturnVisitReport;

pub(super) fn judge(
    before: Option<&ReturnVisitReport>,
    after: &ReturnVisitReport,
    ctx: &Context<'_>,
) -> Verdict {
    let _ = (before, after, ctx);
    Ok(())
}
