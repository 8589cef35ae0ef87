//! The lifecycle of a LeadReferral: which steps are legal, from which state, by whom.

use super::{Context, Verdict};
use crate::model::LeadReferral;

pub(super) fn judge(
    before: Option<&LeadReferral>,
    after: &LeadReferral,
    ctx: &Context<'_>,
) -> Verdict {
    let _ = (before, after, ctx);
    Ok(())
}
