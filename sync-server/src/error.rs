//! Errors of the sync server, bilingual (Chinese first).

/// Result type of the server.
pub type Result<T, E = ServerError> = std::result::Result<T, E>;

/// Everything that can go wrong in the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// SQLite failed.
    #[error("存储错误 / storage error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    /// PostgreSQL failed.
    #[error("存储错误 / storage error: {0}")]
    Postgres(#[from] postgres::Error),

    /// No database connection could be had from the pool.
    #[error("存储错误 / storage error: {0}")]
    Pool(#[from] r2d2::Error),

    /// The core refused or failed (a damaged document, an invalid id).
    #[error("{0}")]
    Core(#[from] fieldbook_core::Error),

    /// A peer broke the protocol; its connection is closed.
    #[error("同步协议错误 / sync protocol error: {0}")]
    Protocol(String),

    /// A background task failed.
    #[error("内部任务失败 / internal task failed: {0}")]
    Task(String),

    /// A request or a value was invalid; nothing changed.
    #[error("输入无效 / invalid input: {0}")]
    Invalid(String),

    /// Wrong or missing credentials.
    #[error("{0}")]
    Unauthorized(String),

    /// The caller may not do this.
    #[error("无权操作 / forbidden: {0}")]
    Forbidden(String),

    /// Something named does not exist.
    #[error("未找到 / not found: {0}")]
    NotFound(String),

    /// A request or a file is over a documented limit; nothing changed.
    #[error("内容过大 / too large: {0}")]
    TooLarge(String),

    /// A file could not be read (its format is broken); nothing changed.
    #[error("无法处理 / unprocessable: {0}")]
    Unreadable(String),

    /// Binding or serving the listener failed.
    #[error("网络错误 / network error: {0}")]
    Io(#[from] std::io::Error),
}

impl ServerError {
    /// The HTTP status that answers this error (the JSON API and the pages alike).
    pub fn http_status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            // A desk action on a record of another kind (a review of a customer, say): the
            // request is well formed, the record is not one it applies to.
            ServerError::Core(fieldbook_core::Error::WrongKind { .. }) => StatusCode::CONFLICT,
            ServerError::Invalid(_) | ServerError::Core(_) => StatusCode::BAD_REQUEST,
            ServerError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ServerError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServerError::NotFound(_) => StatusCode::NOT_FOUND,
            ServerError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ServerError::Unreadable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}
