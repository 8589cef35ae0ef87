//! # fieldbook-tests
//!
//! Cross-crate tests: devices and the server together, under faults and bad input. The crate's
//! library holds the harness (child-process writers, proxies, fixtures); the tests live in
//! `tests/`.

#![forbid(unsafe_code)]
