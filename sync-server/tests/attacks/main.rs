//! Attacks tried against a real server on 127.0.0.1, each refused with a clear bilingual error
//! and nothing stored or changed (asserted on the server's database afterwards). One module per
//! family of findings; `docs/security.md` maps each finding to the test that proves it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod basics;
mod decisions;
mod erasure;
mod http;
mod ids;
mod lifecycle;
mod memory;
mod schema;
