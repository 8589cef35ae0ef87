//! Running store calls off the caller's thread. Every `async` method of the store does its SQLite
//! work on a pool thread (the `blocking` crate's, which needs no async runtime) and completes the
//! future when done, so a Kotlin coroutine on `Dispatchers.Main` or a Swift task on the main actor
//! is never blocked by a durable write. A panic in the core is caught here and becomes a
//! `Storage` error instead of unwinding into the host app.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::{FieldbookError, Result};

/// Runs `work` on a pool thread and waits for it without blocking the caller.
pub(crate) async fn run<T, F>(work: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T> + Send + 'static,
{
    blocking::unblock(move || guarded(work)).await
}

/// Calls `work`, turning a panic into an error.
pub(crate) fn guarded<T>(work: impl FnOnce() -> Result<T>) -> Result<T> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        tracing::error!(panic = %what, "panic caught at the FFI boundary");
        Err(FieldbookError::storage(format!(
            "内部错误 / internal error: {what}"
        )))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_runs_on_another_thread_and_completes_the_future() {
        let caller = std::thread::current().id();
        let worker = futures_lite::future::block_on(run(|| Ok(std::thread::current().id())));
        assert_ne!(worker.ok(), Some(caller));
    }

    #[test]
    fn a_panic_becomes_a_storage_error() {
        let out: Result<()> =
            futures_lite::future::block_on(run(|| panic!("index out of bounds in a test")));
        assert!(matches!(out, Err(FieldbookError::Storage { reason })
            if reason.contains("index out of bounds in a test")));
    }
}
