//! Reading an uploaded table (CSV or XLSX) within fixed limits, before anything is allocated
//! from what the file claims about itself.
//!
//! Issue 15, finding 1: a 1,451-byte XLSX with cells A1 and XFD1048576 made calamine's dense
//! range ask for 512 GiB and abort the process, and an XLSX that inflates to 1 GiB was parsed
//! (+900 MB resident). So an XLSX is first walked with the `zip` crate, every entry inflated
//! into a sink with a hard cap on the bytes actually produced (declared sizes are never
//! trusted); only then does calamine open it, and its cells are read one at a time
//! ([`calamine::Xlsx::worksheet_cells_reader`]) into a table no larger than the limits below
//! (calamine's dense `Range` is never built). A CSV is read record by record under the same
//! row, column, cell and total limits. What the parsers said goes to the log, not the answer.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};

use crate::error::{Result, ServerError};

/// Most data rows one file may hold (the header row comes on top).
pub const MAX_ROWS: usize = 5_000;
/// Most columns a row may use (the import knows 14).
pub const MAX_COLUMNS: usize = 32;
/// Longest cell, in bytes of UTF-8.
pub const MAX_CELL_BYTES: usize = 4 * 1024;
/// Most text all cells together may hold.
pub const MAX_TEXT_BYTES: usize = 16 * 1024 * 1024;
/// Most bytes an XLSX's entries may inflate to, all together.
pub const MAX_INFLATED_BYTES: u64 = 32 * 1024 * 1024;
/// Most entries an XLSX's zip may hold.
pub const MAX_ZIP_ENTRIES: usize = 256;

/// A table of text cells, the header first; every row has at most [`MAX_COLUMNS`] cells.
pub type Table = Vec<Vec<String>>;

fn too_large(zh: &str, en: &str) -> ServerError {
    ServerError::TooLarge(format!("{zh} / {en}"))
}

fn too_many_rows() -> ServerError {
    too_large(
        &format!("最多 {MAX_ROWS} 行"),
        &format!("at most {MAX_ROWS} rows per file"),
    )
}

fn too_many_columns() -> ServerError {
    too_large(
        &format!("最多 {MAX_COLUMNS} 列"),
        &format!("at most {MAX_COLUMNS} columns"),
    )
}

/// A table being filled cell by cell, refusing what goes past the limits.
#[derive(Debug, Default)]
struct Bounded {
    rows: Table,
    text_bytes: usize,
}

impl Bounded {
    /// Puts `text` at (`row`, `col`), both counted from 0 (row 0 is the header).
    fn put(&mut self, row: usize, col: usize, text: String) -> Result<()> {
        if row > MAX_ROWS {
            return Err(too_many_rows());
        }
        if col >= MAX_COLUMNS {
            return Err(too_many_columns());
        }
        if text.len() > MAX_CELL_BYTES {
            return Err(too_large(
                &format!("第 {} 行有超过 {MAX_CELL_BYTES} 字节的单元格", row + 1),
                &format!("row {} has a cell over {MAX_CELL_BYTES} bytes", row + 1),
            ));
        }
        self.text_bytes += text.len();
        if self.text_bytes > MAX_TEXT_BYTES {
            return Err(too_large("文件内容过多", "the file holds too much text"));
        }
        if self.rows.len() <= row {
            self.rows.resize_with(row + 1, Vec::new);
        }
        let cells = &mut self.rows[row];
        if cells.len() <= col {
            cells.resize_with(col + 1, String::new);
        }
        cells[col] = text;
        Ok(())
    }
}

/// The rows of a CSV (UTF-8, an optional byte-order mark).
pub fn read_csv(bytes: &[u8]) -> Result<Table> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut table = Bounded::default();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, csv::Position::line);
            tracing::info!(error = %e, "CSV import unreadable");
            ServerError::Unreadable(format!(
                "CSV 第 {line} 行无法读取（须为 UTF-8） / the CSV cannot be read at line {line} (it must be UTF-8)"
            ))
        })?;
        for (col, field) in record.iter().enumerate() {
            table.put(row, col, field.to_owned())?;
        }
        if record.is_empty() && row > MAX_ROWS {
            return Err(too_many_rows());
        }
    }
    Ok(table.rows)
}

fn unreadable_xlsx(detail: &dyn std::fmt::Display) -> ServerError {
    tracing::info!(error = %detail, "XLSX import unreadable");
    ServerError::Unreadable("XLSX 无法读取 / the XLSX cannot be read".into())
}

/// Inflates every entry of the zip into a sink, refusing more than [`MAX_ZIP_ENTRIES`]
/// entries or [`MAX_INFLATED_BYTES`] inflated bytes in all (counted as they come out).
pub fn check_inflated_size(bytes: &[u8]) -> Result<u64> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable_xlsx(&e))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(too_large(
            "XLSX 内部文件过多",
            "the XLSX holds too many parts",
        ));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| unreadable_xlsx(&e))?;
        let left = MAX_INFLATED_BYTES - total;
        let n = std::io::copy(&mut entry.take(left + 1), &mut std::io::sink())
            .map_err(|e| unreadable_xlsx(&e))?;
        total += n;
        if total > MAX_INFLATED_BYTES {
            return Err(too_large(
                &format!("XLSX 解压后超过 {} MiB", MAX_INFLATED_BYTES >> 20),
                &format!(
                    "the XLSX inflates to more than {} MiB",
                    MAX_INFLATED_BYTES >> 20
                ),
            ));
        }
    }
    Ok(total)
}

/// The rows of the first worksheet of an XLSX, read cell by cell within the limits.
pub fn read_xlsx(bytes: &[u8]) -> Result<Table> {
    check_inflated_size(bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable_xlsx(&e))?;
    let first = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| unreadable_xlsx(&"no worksheet"))?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|e| unreadable_xlsx(&e))?;
    let mut table = Bounded::default();
    while let Some(cell) = cells.next_cell().map_err(|e| unreadable_xlsx(&e))? {
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        let (row, col) = cell.get_position();
        let (row, col) = (row as usize, col as usize);
        table.put(row, col, text)?;
    }
    Ok(table.rows)
}

/// A cell as text; whole numbers (phones typed into a number cell) without a decimal point.
fn cell_text(d: &Data) -> String {
    match d {
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::io::Write;

    use super::*;

    fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, body) in parts {
            w.start_file(*name, opts).unwrap();
            w.write_all(body).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn a_zip_that_inflates_past_the_cap_is_refused_while_inflating() {
        let big = vec![b'a'; (MAX_INFLATED_BYTES as usize) + 1];
        let bytes = zip_of(&[("xl/sharedStrings.xml", &big)]);
        assert!(bytes.len() < 1024 * 1024, "{} bytes", bytes.len());
        let e = check_inflated_size(&bytes).unwrap_err();
        assert!(matches!(e, ServerError::TooLarge(_)), "{e}");
        assert_eq!(check_inflated_size(&zip_of(&[("a", b"abc")])).unwrap(), 3);
    }

    #[test]
    fn cells_past_the_limits_are_refused_and_sparse_cells_fill_a_small_table() {
        let mut t = Bounded::default();
        t.put(0, 0, "a".into()).unwrap();
        t.put(2, 3, "b".into()).unwrap();
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[2], ["", "", "", "b"]);
        for (row, col) in [(MAX_ROWS + 1, 0), (0, MAX_COLUMNS), (1_048_575, 16_383)] {
            let e = t.put(row, col, "x".into()).unwrap_err();
            assert!(matches!(e, ServerError::TooLarge(_)), "{e}");
        }
        let e = t.put(1, 0, "x".repeat(MAX_CELL_BYTES + 1)).unwrap_err();
        assert!(e.to_string().contains("bytes"), "{e}");
    }

    #[test]
    fn a_csv_past_the_row_limit_is_refused_and_an_unreadable_one_names_only_the_line() {
        let mut csv = String::from("name\n");
        for i in 0..=MAX_ROWS {
            csv.push_str(&format!("c{i}\n"));
        }
        let e = read_csv(csv.as_bytes()).unwrap_err();
        assert!(matches!(e, ServerError::TooLarge(_)), "{e}");
        let e = read_csv(b"name\n\xff\xfe\n").unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("line 2") && !text.contains("utf-8 error"),
            "{text}"
        );
    }
}
