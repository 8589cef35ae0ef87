//! Errors of the core. One enum, small and focused variants, each naming the record or field
//! concerned so that a host app can show it and act on it.

use crate::ids::RecordId;

/// Result type of the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No record with this id is stored on this device.
    #[error("记录不存在 / record not found: {0}")]
    NotFound(RecordId),

    /// The record exists but is of another kind than the caller asked for.
    #[error("记录类型不符 / record {id} is a {actual}, not a {expected}")]
    WrongKind {
        id: RecordId,
        expected: String,
        actual: String,
    },

    /// A stored document could not be decoded: its bytes are damaged. Other records are unaffected.
    #[error("记录已损坏 / record {id} is corrupt: {reason}")]
    CorruptRecord { id: RecordId, reason: String },

    /// Input rejected by validation; nothing was changed.
    #[error("输入无效 / invalid input in `{field}`: {message}")]
    InvalidInput { field: String, message: String },

    /// The database was written by a newer version of Fieldbook.
    #[error(
        "数据库版本 {found} 高于本程序支持的 {supported}，请升级应用 / database schema {found} is newer than supported {supported}: upgrade the app"
    )]
    SchemaTooNew { found: i64, supported: i64 },

    /// The store is encrypted with another key, is not encrypted while a key was given, or is
    /// encrypted while no key was given. Nothing was read or written.
    #[error(
        "数据库密钥不正确，或文件不是 Fieldbook 数据库 / wrong database key, or not a Fieldbook database"
    )]
    WrongKey,

    /// A text id could not be parsed.
    #[error("无效的标识 / invalid id `{value}`: {reason}")]
    InvalidId { value: String, reason: String },

    /// SQLite failed.
    #[error("存储错误 / storage error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    /// Automerge refused an operation or a change.
    #[error("文档错误 / document error: {0}")]
    Automerge(#[from] automerge::AutomergeError),

    /// A record could not be mapped to or from its document.
    #[error("记录格式错误 / record {id} does not match its model: {reason}")]
    Model { id: RecordId, reason: String },
}

impl Error {
    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            field: field.into(),
            message: message.into(),
        }
    }
}
