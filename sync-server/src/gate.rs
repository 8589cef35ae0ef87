//! The change gate: every change a device sends is applied to a twin copy of the document and
//! shown here *before* it is stored or passed on; a refusal stores nothing. The permissions
//! issue fills in who may change what; for now the gate checks the document size and that the
//! record's kind is one this server knows.

use fieldbook_core::model::RecordKind;
use fieldbook_core::{DeviceId, RecordDoc, RecordId, UserId};

/// Who sends a change, and to which record.
#[derive(Debug, Clone, Copy)]
pub struct GateContext<'a> {
    pub device: DeviceId,
    pub user: &'a UserId,
    pub record: RecordId,
}

/// Decides whether the changes that turned a document into `after` may be stored.
pub trait ChangeGate: Send + Sync + 'static {
    /// `Err(reason)` refuses; the reason goes back to the device (no personal data in it).
    fn check(
        &self,
        ctx: GateContext<'_>,
        after: &RecordDoc,
        total_bytes: u64,
    ) -> Result<(), String>;
}

/// The default gate: size limit and known record kinds.
#[derive(Debug, Clone)]
pub struct BasicGate {
    pub max_doc_bytes: u64,
}

impl ChangeGate for BasicGate {
    fn check(
        &self,
        ctx: GateContext<'_>,
        after: &RecordDoc,
        total_bytes: u64,
    ) -> Result<(), String> {
        if total_bytes > self.max_doc_bytes {
            return Err(format!(
                "文档过大 / document too large: {total_bytes} bytes > {}",
                self.max_doc_bytes
            ));
        }
        match after.kind() {
            Some(RecordKind::Other(k)) => Err(format!("未知记录类型 / unknown record kind `{k}`")),
            None => Err("记录缺少类型 / the document has no record kind".into()),
            Some(kind) => named_ids_hold_daily_logs(ctx.record, &kind),
        }
    }
}

/// A name-based id (UUID version 5, `DailyLog::id_for`) holds a daily log and nothing else, and
/// a daily log lives nowhere else: nobody can take a rep's log id first with another record.
fn named_ids_hold_daily_logs(id: RecordId, kind: &RecordKind) -> Result<(), String> {
    if id.is_named() == (*kind == RecordKind::DailyLog) {
        return Ok(());
    }
    Err(format!(
        "记录 {id}：由名称派生的编号只用于拜访记录表，拜访记录表只用这种编号（规则 / rule \
         daily_log.id_of_rep_and_day）/ record {id}: a name-derived id holds only a daily log, \
         and a daily log only such an id"
    ))
}
