//! Issue 9, the back office's web pages on a real server (clock fixed at 2026-12-10 09:00 UTC):
//! over plain HTTP (sign-in, scope, error pages, forms and their CSRF tokens) and in a real
//! headless Chromium driven over WebDriver (`chromedriver`, Debian's `chromium-driver`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../common/mod.rs"]
mod common;

mod browser;
mod created_at;
mod daily_logs;
mod driver;
mod http;
mod screenshots;
mod seed;
