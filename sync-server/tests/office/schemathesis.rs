//! Issue 19: schemathesis (from PyPI, installed by `scripts/install-test-deps.sh`) against the
//! server's own OpenAPI document, on a real server with a company's records: every operation,
//! every check (`--checks all`: no 5xx, only documented statuses and content types, responses
//! that match their schemas, schema-valid requests accepted and invalid ones refused, a missing
//! or wrong token refused), in deterministic mode, so every run draws the same cases. The
//! exceptions, each with its reason, are in `schemathesis/schemathesis.toml`.

use std::path::Path;
use std::process::Stdio;

use super::*;

/// Schemathesis's command line, run by `python3 -c`.
const SCHEMATHESIS: &str =
    "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())";

/// The cases drawn per operation and phase (deterministic mode: the same cases every run).
const EXAMPLES: &str = "25";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing_against_the_openapi_document() {
    let w = World::start_at(now()).await;
    let c = customers(&w).await;
    let unknown = RecordId::from_random_bytes([7; 16]);
    let ids = [c.b, c.a, unknown].map(|id| id.to_string()).join(",");
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/office/schemathesis");
    let token = token(&w, "mkt.sun");
    // Through the interpreter, so no shim or PATH entry for its script is needed.
    let run = tokio::process::Command::new("python3")
        .args(["-c", SCHEMATHESIS])
        .arg("--config-file")
        .arg(here.join("schemathesis.toml"))
        .args(["--no-color", "run", &w.http("/api/v1/openapi.json")])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .arg("--generation-deterministic")
        .args(["--max-examples", EXAMPLES])
        .args(["--workers", "1", "--phases", "examples,coverage,fuzzing"])
        .env("PYTHONPATH", &here)
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env("FIELDBOOK_RECORD_IDS", &ids)
        .current_dir(w.dir.path())
        .stdin(Stdio::null())
        .output()
        .await;
    let out = match run {
        Ok(out) => out,
        Err(e) => panic!(
            "schemathesis could not start ({e}): run `bash scripts/install-test-deps.sh`, \
             which installs it from PyPI"
        ),
    };
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found failures (each with its curl to replay):\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // It ran: every operation it selected was tested (the OpenAPI document's own route, with
    // no parameters to draw, is the one it leaves out), with cases drawn.
    let after = |label: &str| -> String {
        let at = report.find(label).map(|i| i + label.len());
        let rest = at.map_or("", |i| &report[i..]);
        rest.split_whitespace().next().unwrap_or("").to_owned()
    };
    let operations = doc_operations(&w).await;
    assert_eq!(
        after("Selected:"),
        format!("{0}/{0}", operations - 1),
        "{report}"
    );
    assert_eq!(after("Tested:"), (operations - 1).to_string(), "{report}");
    assert!(report.contains("generated"), "{report}");
}

/// How many operations the OpenAPI document lists.
async fn doc_operations(w: &World) -> usize {
    let (_, doc) = send(
        reqwest::Client::new().get(w.http("/api/v1/openapi.json")),
        None,
    )
    .await;
    let paths = doc["paths"].as_object().unwrap();
    paths.values().map(|p| p.as_object().unwrap().len()).sum()
}
