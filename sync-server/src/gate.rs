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
        _ctx: GateContext<'_>,
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
            Some(_) => Ok(()),
        }
    }
}
