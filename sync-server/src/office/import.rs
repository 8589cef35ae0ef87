//! Importing customers from CSV or XLSX: every row is read, checked (required fields, grade,
//! phone, e-mail, owner) and shown to the write rules before any is stored; if one row is
//! invalid nothing is imported, and the report says which rows and fields are wrong. Valid
//! files become new customer documents created through the hub on the importer's behalf.

use fieldbook_core::access::Role;
use fieldbook_core::input::{normalize_phone, validate_email};
use fieldbook_core::model::{Contact, Customer, CustomerGrade, StringEnum};
use fieldbook_core::{DeviceId, RecordId, RecordMeta, UserId};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Office, Viewer};
use crate::error::{Result, ServerError};
use crate::hub::{EditOutcome, blocking};
use crate::store::ServerStore;

use super::sheet::{read_csv, read_xlsx};

/// The roles that may import customers for the company: the desks that keep the customer
/// database (customer service, marketing) and the admin. A field rep or a supervisor adds
/// customers one at a time, on the phone, under the write rules (issue 15, finding 1).
pub const IMPORTERS: [Role; 3] = [
    Role::CustomerServiceManager,
    Role::MarketingManager,
    Role::Admin,
];

/// The file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    Csv,
    Xlsx,
}

/// The columns, with their bilingual headers (a header matches in full, by its Chinese or
/// English half, or by its key).
pub const COLUMNS: [(&str, &str); 14] = [
    ("name", "客户名称 / Customer"),
    ("company", "公司 / Company"),
    ("region", "地区 / Region"),
    ("address", "地址 / Address"),
    ("industry", "行业 / Industry"),
    ("grade", "等级 / Grade"),
    ("contact", "联系人 / Contact"),
    ("title", "职务 / Title"),
    ("mobile", "手机 / Mobile"),
    ("direct_line", "座机 / Direct line"),
    ("email", "邮箱 / Email"),
    ("owner", "负责人 / Owner"),
    ("needs", "需求 / Needs"),
    ("notes", "备注 / Notes"),
];

/// One problem with one field of one row.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldError {
    /// The column key (`name`, `mobile`, …), or `row` for the row as a whole.
    pub field: String,
    pub message: String,
}

/// What became of one row.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RowReport {
    /// The row's number in the file (the header is row 1).
    pub row: usize,
    pub ok: bool,
    /// The new customer's id, once imported.
    #[schema(value_type = Option<String>)]
    pub id: Option<RecordId>,
    pub errors: Vec<FieldError>,
}

/// The import's report.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ImportReport {
    /// How many customers were created (0 unless every row was valid).
    pub imported: usize,
    pub invalid_rows: usize,
    pub rows: Vec<RowReport>,
}

impl<S: ServerStore> Office<S> {
    /// Imports customers for `viewer`; all or nothing.
    pub async fn import_customers(
        &self,
        viewer: &Viewer,
        bytes: &[u8],
        format: ImportFormat,
    ) -> Result<ImportReport> {
        let role = self.hub.access().dir.role(&viewer.user);
        if !role.is_some_and(|r| IMPORTERS.contains(&r)) {
            return Err(ServerError::Forbidden(
                "只有客服经理、营销经理或管理员可导入客户 / only the customer-service manager, \
                 the marketing manager or an admin may import customers"
                    .into(),
            ));
        }
        // Parsing is CPU work (inflating up to the cap): off the async workers.
        let bytes = bytes.to_vec();
        let table = blocking(move || match format {
            ImportFormat::Csv => read_csv(&bytes),
            ImportFormat::Xlsx => read_xlsx(&bytes),
        })
        .await?;
        let (header, body) = table
            .split_first()
            .ok_or_else(|| ServerError::Invalid("文件为空 / the file is empty".into()))?;
        let columns = map_header(header)?;
        let mut customers = Vec::with_capacity(body.len());
        let mut rows = Vec::with_capacity(body.len());
        for (i, cells) in body.iter().enumerate() {
            let (customer, errors) = self.check_row(viewer, &columns, cells);
            rows.push(RowReport {
                row: i + 2,
                ok: errors.is_empty(),
                id: None,
                errors,
            });
            customers.push(customer);
        }
        let invalid_rows = rows.iter().filter(|r| !r.ok).count();
        let mut report = ImportReport {
            imported: 0,
            invalid_rows,
            rows,
        };
        if invalid_rows > 0 {
            return Ok(report);
        }
        for (customer, row) in customers.iter().zip(report.rows.iter_mut()) {
            match self.hub.create_as(&viewer.user, customer).await? {
                EditOutcome::Stored(_) => {
                    row.id = Some(customer.meta.id);
                    report.imported += 1;
                }
                EditOutcome::Refused(r) => return Err(ServerError::Forbidden(r.to_string())),
                EditOutcome::NotFound => {}
            }
        }
        Ok(report)
    }

    /// The customer a row describes, and what is wrong with it.
    fn check_row(
        &self,
        viewer: &Viewer,
        columns: &[Option<&'static str>],
        cells: &[String],
    ) -> (Customer, Vec<FieldError>) {
        let mut errors = Vec::new();
        let cell = |key: &str| -> String {
            columns
                .iter()
                .position(|c| *c == Some(key))
                .and_then(|i| cells.get(i))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let mut err = |field: &str, message: String| {
            errors.push(FieldError {
                field: field.into(),
                message,
            })
        };
        let customer = self.customer_of(viewer, &cell, &mut err);
        if errors.is_empty()
            && let Err(refusal) = self.hub.check_create(&viewer.user, &customer)
        {
            errors.push(FieldError {
                field: "row".into(),
                message: refusal.reason,
            });
        }
        (customer, errors)
    }

    fn customer_of(
        &self,
        viewer: &Viewer,
        cell: &dyn Fn(&str) -> String,
        err: &mut dyn FnMut(&str, String),
    ) -> Customer {
        let name = cell("name");
        if name.is_empty() {
            err(
                "name",
                "须填写客户名称 / the customer's name is required".into(),
            );
        }
        let grade = match cell("grade").to_uppercase().as_str() {
            "" => CustomerGrade::C,
            g => match CustomerGrade::parse_str(g) {
                CustomerGrade::Other(_) => {
                    err(
                        "grade",
                        format!("等级须为 A、B 或 C / the grade is A, B or C, not `{g}`"),
                    );
                    CustomerGrade::C
                }
                known => known,
            },
        };
        let mut checked =
            |field: &str,
             value: String,
             check: fn(&str, &str) -> fieldbook_core::Result<String>| {
                if value.is_empty() {
                    return value;
                }
                check(field, &value).unwrap_or_else(|e| {
                    err(field, e.to_string());
                    value
                })
            };
        let mobile = checked("mobile", cell("mobile"), normalize_phone);
        let direct_line = checked("direct_line", cell("direct_line"), normalize_phone);
        let email = checked("email", cell("email"), validate_email);
        let owner = match cell("owner") {
            o if o.is_empty() => viewer.user.clone(),
            o => match UserId::new(&o) {
                Ok(u) if self.hub.access().dir.person(&u).is_some() => u,
                _ => {
                    err("owner", format!("没有用户“{o}” / no user `{o}`"));
                    viewer.user.clone()
                }
            },
        };
        let contact_name = cell("contact");
        let contacts = if [&contact_name, &mobile, &direct_line, &email]
            .iter()
            .all(|s| s.is_empty())
        {
            Vec::new()
        } else {
            vec![Contact {
                id: RecordId::from_random_bytes(rand::random()).to_string(),
                name: contact_name,
                title: cell("title"),
                mobile,
                direct_line,
                email,
                consent: None,
            }]
        };
        Customer {
            meta: RecordMeta {
                id: RecordId::from_random_bytes(rand::random()),
                created_at: self.hub.clock().now(),
                created_by: viewer.user.clone(),
                created_on: DeviceId::NIL,
                owner,
            },
            name,
            company: cell("company"),
            region: cell("region"),
            address: cell("address"),
            industry: cell("industry"),
            needs: cell("needs"),
            notes: cell("notes"),
            grade,
            contacts,
            ..Customer::default()
        }
    }
}

/// Each header cell's column key; an unknown header is an error naming it.
fn map_header(header: &[String]) -> Result<Vec<Option<&'static str>>> {
    let norm = |s: &str| s.trim().to_lowercase();
    let mut out = Vec::with_capacity(header.len());
    for h in header {
        let h = norm(h);
        if h.is_empty() {
            out.push(None);
            continue;
        }
        let found = COLUMNS.iter().find(|(key, label)| {
            let (zh, en) = label.split_once(" / ").unwrap_or((label, label));
            [*key, label, zh, en].iter().any(|c| norm(c) == h)
        });
        match found {
            Some((key, _)) => out.push(Some(*key)),
            None => {
                let known: Vec<&str> = COLUMNS.iter().map(|(_, l)| *l).collect();
                return Err(ServerError::Invalid(format!(
                    "未知的列“{h}”/ unknown column `{h}`; known columns: {}",
                    known.join(", ")
                )));
            }
        }
    }
    if !out.contains(&Some("name")) {
        return Err(ServerError::Invalid(
            "缺少“客户名称”列 / the `客户名称 / Customer` column is missing".into(),
        ));
    }
    Ok(out)
}
