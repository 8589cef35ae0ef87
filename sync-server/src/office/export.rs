//! Exporting a list as CSV (UTF-8 with a byte-order mark, so that Excel reads the Chinese) or
//! XLSX. Column headers are bilingual, Chinese first.
//!
//! Every value comes from a phone, so none may reach a spreadsheet as a formula (issue 15,
//! finding 7: a title `=HYPERLINK(...)` was a live link in Excel). A CSV cell that starts with
//! `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (OWASP's advice: Excel
//! then shows the text as typed); the XLSX writes every value as a string cell, never a formula.

use rust_xlsxwriter::{Format, Workbook};

use super::filter::RecordFilter;
use super::rows::{RecordRow, UNKNOWN_TIME};
use super::{Office, Viewer};
use crate::accounts::AccessEntry;
use crate::error::{Result, ServerError};
use crate::hub::blocking;
use crate::store::ServerStore;

/// An export's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => XLSX_TYPE,
        }
    }

    /// The HTTP response that downloads `bytes` as a file of this format.
    pub fn download(self, bytes: Vec<u8>) -> axum::response::Response {
        use axum::http::header;
        use axum::response::IntoResponse;
        let name = match self {
            ExportFormat::Csv => "records.csv",
            ExportFormat::Xlsx => "records.xlsx",
        };
        let disposition = format!("attachment; filename=\"{name}\"");
        (
            [
                (header::CONTENT_TYPE, self.content_type().to_owned()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            bytes,
        )
            .into_response()
    }
}

/// The media type of an XLSX workbook.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The columns of an exported list.
pub const HEADERS: [&str; 12] = [
    "编号 / ID",
    "类型 / Kind",
    "名称 / Title",
    "业务员 / Rep",
    "团队 / Team",
    "负责人 / Owner",
    "客户编号 / Customer ID",
    "状态 / Status",
    "等级 / Grade",
    "关键时间 / Key time",
    "创建时间 / Created",
    "类型代码 / Kind code",
];

fn cells(r: &RecordRow) -> [String; 12] {
    let opt = |s: Option<String>| s.unwrap_or_default();
    let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    };
    [
        r.id.to_string(),
        r.kind_label.clone(),
        r.title.clone(),
        opt(r.rep.as_ref().map(ToString::to_string)),
        opt(r.team.clone()),
        opt(r.owner.as_ref().map(ToString::to_string)),
        opt(r.customer_id.map(|c| c.to_string())),
        opt(r.status.clone()),
        opt(r.grade.clone()),
        time(r.key_at),
        r.created_at
            .map_or_else(|| UNKNOWN_TIME.to_owned(), |t| time(Some(t))),
        r.kind.clone(),
    ]
}

/// The rows as a file.
pub fn export(rows: &[RecordRow], format: ExportFormat) -> Result<Vec<u8>> {
    match format {
        ExportFormat::Csv => csv_bytes(rows),
        ExportFormat::Xlsx => xlsx_bytes(rows),
    }
}

/// `value` as a CSV cell that no spreadsheet evaluates.
pub fn neutralise(value: String) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value,
    }
}

fn csv_bytes(rows: &[RecordRow]) -> Result<Vec<u8>> {
    let failed = |e: String| ServerError::Task(format!("CSV 导出失败 / CSV export failed: {e}"));
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(HEADERS).map_err(|e| failed(e.to_string()))?;
    for r in rows {
        w.write_record(cells(r).map(neutralise))
            .map_err(|e| failed(e.to_string()))?;
    }
    w.into_inner().map_err(|e| failed(e.to_string()))
}

fn xlsx_bytes(rows: &[RecordRow]) -> Result<Vec<u8>> {
    let failed = |e: rust_xlsxwriter::XlsxError| {
        ServerError::Task(format!("XLSX 导出失败 / XLSX export failed: {e}"))
    };
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("记录 Records").map_err(failed)?;
    let bold = Format::new().set_bold();
    for (c, h) in HEADERS.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(failed)?;
        sheet.set_column_width(c as u16, 18).map_err(failed)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1)
            .map_err(|_| ServerError::Invalid("导出行数过多 / too many rows to export".into()))?;
        for (c, value) in cells(r).into_iter().enumerate() {
            sheet.write_string(row, c as u16, value).map_err(failed)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(failed)?;
    book.save_to_buffer().map_err(failed)
}

impl<S: ServerStore> Office<S> {
    /// The list `filter` selects, as a file; every customer exported is logged (`export`).
    pub async fn export(
        &self,
        viewer: &Viewer,
        filter: &RecordFilter,
        format: ExportFormat,
    ) -> Result<Vec<u8>> {
        let page = self.list(viewer, filter).await?;
        let at = self.hub.clock().now();
        let entries: Vec<AccessEntry> = page
            .records
            .iter()
            .filter(|r| r.kind == "customer")
            .map(|r| AccessEntry {
                at,
                user: viewer.user.clone(),
                device: viewer.device,
                record: r.id,
                action: "export".into(),
            })
            .collect();
        if !entries.is_empty() {
            let store = self.hub.store().clone();
            blocking(move || store.log_access(&entries)).await?;
        }
        let rows = page.records;
        blocking(move || export(&rows, format)).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cells_that_a_spreadsheet_would_evaluate_are_neutralised() {
        for bad in [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-1+1",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(neutralise(bad.into()), format!("'{bad}"));
        }
        for fine in ["张三", "13800138000", "", "a=b"] {
            assert_eq!(neutralise(fine.into()), fine);
        }
    }
}
