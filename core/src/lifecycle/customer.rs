//! The lifecycle of a Customer: which steps are legal, from which state, by whom.

use super::{Context, Verdict};
use crate::model::Customer;

pub(super) fn judge(before: Option<&Customer>, after: &Customer, ctx: &Context<'_>) -> Verdict {
    let _ = (before, after, ctx);
    Ok(())
}
