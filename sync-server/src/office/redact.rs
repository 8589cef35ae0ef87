//! A-grade customers below marketing manager (issue 17, seed 001 §3.6): "A级客户信息查询和使用
//! 需要营销经理级以上人员". The customer's rep and her supervisors (its view readers, ADR 0013)
//! see it in the back office as their phones hold it — name, grade, rep, dates — with the
//! contacts, budget, needs, habits, reception card, notes and contact log withheld: in lists,
//! search, exports (rows and search text are derived from the redacted record), on the record
//! page, and in its history and conflicts (no field under a withheld one is named, no
//! concurrent value of one is shown). Each such record carries [`A_GRADE_NOTICE`].

use std::sync::Arc;

use fieldbook_core::access::Role;
use fieldbook_core::model::{Customer, RecordKind, SCHEMA_VERSION, StringEnum};
use fieldbook_core::rules::customer::{is_withheld, visible_to};
use fieldbook_core::{FieldConflict, RecordId};
use serde_json::Value as Json;

use super::rows::{Derived, Typed};
use crate::hub::ChangeOrigin;

/// The marker of a redacted A-grade customer, on its row and its page.
pub const A_GRADE_NOTICE: &str = "A级客户：详情仅营销经理及以上可见 / A-grade customer: details for marketing managers and above";

/// The customer of `derived` as a viewer with `role` may see it (its view readers are below
/// marketing manager): derived again from the redacted record, marked redacted.
pub(super) fn redacted(id: RecordId, derived: &Derived, role: Role) -> Option<Arc<Derived>> {
    let Typed::Customer(customer) = &derived.typed else {
        return None;
    };
    let shown: Customer = visible_to(customer, role);
    let mut json = serde_json::to_value(&shown).ok()?;
    if let Json::Object(map) = &mut json {
        map.insert("kind".into(), Json::from(RecordKind::Customer.as_str()));
        map.insert("schema".into(), Json::from(SCHEMA_VERSION));
    }
    let mut out = Derived::new(id, json, derived.heads_key.clone());
    out.row.redacted = true;
    Some(Arc::new(out))
}

/// The history as a redacted reader sees it: no withheld field named; a change that touched
/// only withheld fields is left out.
pub(super) fn history(entries: Vec<ChangeOrigin>) -> Vec<ChangeOrigin> {
    entries
        .into_iter()
        .filter_map(|mut e| {
            let touched = !e.fields.is_empty();
            e.fields.retain(|f| !is_withheld(f));
            (!touched || !e.fields.is_empty()).then_some(e)
        })
        .collect()
}

/// The open conflicts a redacted reader may see: none of a withheld field.
pub(super) fn conflicts(all: Vec<FieldConflict>) -> Vec<FieldConflict> {
    all.into_iter().filter(|c| !is_withheld(&c.path)).collect()
}
