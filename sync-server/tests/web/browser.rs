//! In headless Chromium (see `driver.rs`).
