//! Spreadsheets built to exhaust the server (finding 1), and imports by a role that may not
//! import. The files are built here, small: a sparse sheet, and one that inflates 256 MiB.

use std::io::{Cursor, Write};

use serde_json::Value;

use super::{client, customers, error_of, json_of};
use crate::common::World;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn import(w: &World, who: &str, kind: &str, bytes: Vec<u8>) -> (u16, Value) {
    let resp = client()
        .post(w.http("/api/v1/import/customers"))
        .bearer_auth(&w.device(who).token)
        .header("content-type", kind)
        .body(bytes)
        .send()
        .await
        .unwrap();
    json_of(resp).await
}

/// A workbook with `cells` (row, column, text), as `rust_xlsxwriter` writes it.
fn xlsx_of(cells: &[(u32, u16, &str)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, c, text) in cells {
        sheet.write_string(*r, *c, *text).unwrap();
    }
    book.save_to_buffer().unwrap()
}

/// `xlsx` with one more part of `inflated` zero bytes (deflated to a few KiB per MiB).
fn padded(xlsx: &[u8], inflated: usize) -> Vec<u8> {
    let mut source = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..source.len() {
        out.raw_copy_file(source.by_index(i).unwrap()).unwrap();
    }
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    out.start_file("xl/media/padding.bin", opts).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..inflated >> 20 {
        out.write_all(&chunk).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The server still answers, and a valid import still works.
async fn still_up_and_importing(w: &World) {
    let health = client().get(w.http("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let csv = "客户名称 / Customer,手机 / Mobile\n苏州园林,13800138000\n";
    let (s, body) = import(w, "cs.zhou", "text/csv", csv.into()).await;
    assert_eq!(
        (s, body["report"]["imported"].as_u64()),
        (200, Some(1)),
        "{body}"
    );
    assert_eq!(customers(w), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sparse_xlsx_with_cells_a1_and_xfd1048576_is_refused_and_the_server_stays_up() {
    let w = World::start().await;
    let bytes = xlsx_of(&[(0, 0, "客户名称 / Customer"), (1_048_575, 16_383, "x")]);
    assert!(
        bytes.len() < 16 * 1024,
        "a small file: {} bytes",
        bytes.len()
    );
    let (s, body) = import(&w, "cs.zhou", XLSX, bytes).await;
    assert_eq!(s, 413, "{body}");
    let e = error_of(&body);
    assert!(
        e.contains("最多 5000 行") && e.contains("at most 5000 rows"),
        "{e}"
    );
    assert_eq!(customers(&w), 0, "nothing imported");
    // Far to the right on the first rows is refused as well.
    let wide = xlsx_of(&[(0, 0, "客户名称 / Customer"), (1, 16_383, "x")]);
    let (s, body) = import(&w, "cs.zhou", XLSX, wide).await;
    assert_eq!(s, 413, "{body}");
    assert!(error_of(&body).contains("columns"), "{body}");
    assert_eq!(customers(&w), 0, "nothing imported");
    still_up_and_importing(&w).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_xlsx_that_inflates_far_past_the_cap_is_refused_before_it_is_parsed() {
    let w = World::start().await;
    let sheet = xlsx_of(&[(0, 0, "客户名称 / Customer"), (1, 0, "王府井百货")]);
    let bomb = padded(&sheet, 256 << 20);
    assert!(
        bomb.len() < 2 << 20,
        "under the upload limit: {} bytes",
        bomb.len()
    );
    let (s, body) = import(&w, "cs.zhou", XLSX, bomb).await;
    assert_eq!(s, 413, "{body}");
    let e = error_of(&body);
    assert!(
        e.contains("解压后超过 32 MiB") && e.contains("inflates to more than 32 MiB"),
        "{e}"
    );
    assert_eq!(customers(&w), 0, "nothing imported");
    // A broken zip: a generic 422, no parser's words.
    let (s, body) = import(&w, "cs.zhou", XLSX, b"PK\x03\x04 not a zip".to_vec()).await;
    assert_eq!(s, 422, "{body}");
    assert_eq!(
        error_of(&body),
        "无法处理 / unprocessable: XLSX 无法读取 / the XLSX cannot be read"
    );
    still_up_and_importing(&w).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_rep_or_a_supervisor_may_not_import_customers_for_the_company() {
    let w = World::start().await;
    let csv = "客户名称 / Customer\n苏州园林\n";
    for who in ["rep.li", "sup.zhao", "fin.wu"] {
        let (s, body) = import(&w, who, "text/csv", csv.into()).await;
        assert_eq!(s, 403, "{who}: {body}");
        assert!(
            error_of(&body).contains("only the customer-service manager"),
            "{body}"
        );
    }
    assert_eq!(customers(&w), 0, "nothing imported");
    for who in ["mkt.sun", "admin.zheng"] {
        let (s, body) = import(&w, who, "text/csv", csv.into()).await;
        assert_eq!(s, 200, "{who}: {body}");
    }
}
