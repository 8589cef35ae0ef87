//! The lifecycle of a ReceptionNote: which steps are legal, from which state, by whom.

use super::{Context, Verdict};
use crate::model::ReceptionNote;

pub(super) fn judge(
    before: Option<&ReceptionNote>,
    after: &ReceptionNote,
    ctx: &Context<'_>,
) -> Verdict {
    let _ = (before, after, ctx);
    Ok(())
}
