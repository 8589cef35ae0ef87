//! The one error a host app sees. Six cases, each something the app can act on: show "not found",
//! point at the field that was refused, ask the user to pick a side, sign in again, report a
//! storage problem, or retry when the network is back. Every `reason` is bilingual (Chinese
//! first) and safe to show; it never carries a customer's personal data beyond what the user typed.

use fieldbook_core::Error as CoreError;

/// Result of the FFI layer.
pub type Result<T, E = FieldbookError> = std::result::Result<T, E>;

/// What went wrong, as the app can act on it. Its text (`toString()` in Kotlin, the
/// description in Swift) is the bilingual message to show; every case but `NotFound` also
/// carries it as `reason`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
pub enum FieldbookError {
    /// No record with this id on this device.
    #[error("记录不存在 / record not found: {id}")]
    NotFound { id: String },
    /// The input was refused; `field` names it (e.g. `meta.id`, `follow_ups.at`). Nothing changed.
    #[error("{reason}")]
    InvalidInput { field: String, reason: String },
    /// The operation clashes with the record's current state (another rep registered this lead
    /// first, a decision was already made). Raised by the rules and sync layers.
    #[error("{reason}")]
    Conflict { reason: String },
    /// The server needs the user to sign in again. Raised by sync.
    #[error("{reason}")]
    AuthNeeded { reason: String },
    /// The device store failed (disk full, damaged record, database from a newer app version).
    #[error("{reason}")]
    Storage { reason: String },
    /// The server could not be reached. Raised by sync; the app may retry later.
    #[error("{reason}")]
    Network { reason: String },
}

impl FieldbookError {
    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        FieldbookError::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn storage(reason: impl Into<String>) -> Self {
        FieldbookError::Storage {
            reason: reason.into(),
        }
    }
}

impl From<CoreError> for FieldbookError {
    fn from(e: CoreError) -> Self {
        let reason = e.to_string();
        match e {
            CoreError::NotFound(id) => FieldbookError::NotFound { id: id.to_string() },
            CoreError::InvalidInput { field, .. } => FieldbookError::InvalidInput { field, reason },
            CoreError::InvalidId { .. } => FieldbookError::invalid("id", reason),
            CoreError::WrongKind { .. } => FieldbookError::invalid("kind", reason),
            CoreError::WrongKey | CoreError::Refused(_) => FieldbookError::AuthNeeded { reason },
            CoreError::Network(_) | CoreError::Protocol(_) => FieldbookError::Network { reason },
            CoreError::CorruptRecord { .. }
            | CoreError::SchemaTooNew { .. }
            | CoreError::Sqlite(_)
            | CoreError::Automerge(_)
            | CoreError::Model { .. } => FieldbookError::Storage { reason },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldbook_core::RecordId;

    #[test]
    fn core_errors_map_to_actionable_cases() {
        let id = RecordId::from_random_bytes([1; 16]);
        assert_eq!(
            FieldbookError::from(CoreError::NotFound(id)),
            FieldbookError::NotFound { id: id.to_string() }
        );
        let e = FieldbookError::from(CoreError::SchemaTooNew {
            found: 9,
            supported: 2,
        });
        assert!(
            matches!(&e, FieldbookError::Storage { reason } if reason.starts_with("数据库版本"))
        );
    }
}
