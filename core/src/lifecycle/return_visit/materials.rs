//! The judge of the materials a rep carried (seed 001 §7.4(3)): each is listed once, and its
//! return (or the reason it could not come back) is recorded once, at the time it happens.
//!
//! | rule | what is refused |
//! |---|---|
//! | `return_visit.materials_recorded` | removing a listed material, renaming it, or changing its return once recorded |
//! | `return_visit.material_returned_at_claimed` | a return time back-dated or in the future |

use super::{Context, Verdict, Violation, claimed};
use crate::model::{CarriedMaterial, ReturnVisitReport};

pub(super) fn judge(
    before: Option<&ReturnVisitReport>,
    after: &ReturnVisitReport,
    ctx: &Context<'_>,
) -> Verdict {
    let old: &[CarriedMaterial] = before.map_or(&[], |b| &b.materials);
    if old
        .iter()
        .any(|o| !after.materials.iter().any(|m| m.id == o.id))
    {
        return Err(recorded("/materials"));
    }
    for (n, m) in after.materials.iter().enumerate() {
        let at = format!("/materials/{n}");
        let prior = old.iter().find(|o| o.id == m.id);
        let settled =
            |x: &CarriedMaterial| x.returned_at.is_some() || !x.not_returned_reason.is_empty();
        if let Some(o) = prior
            && (o.item != m.item || (settled(o) && o != m))
        {
            return Err(recorded(&at));
        }
        let newly_returned = prior.is_none_or(|o| o.returned_at.is_none());
        if let (Some(t), true) = (m.returned_at, newly_returned) {
            claimed(
                ctx,
                "return_visit.material_returned_at_claimed",
                &format!("{at}/returned_at"),
                t,
            )?;
        }
    }
    Ok(())
}

fn recorded(field: &str) -> Violation {
    Violation::new(
        "return_visit.materials_recorded",
        field,
        "已登记的资料不能删除或改名，归还记录不能修改 / listed materials cannot be removed or \
         renamed, nor a recorded return changed",
    )
}
