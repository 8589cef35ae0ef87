//! The back-office API's OpenAPI document beyond the handlers' annotations: the schemas of
//! paths and bodies that are not types of the query layer, the bearer scheme, and the errors
//! every operation can answer with (held to the server's behaviour by schemathesis,
//! `sync-server/tests/office/schemathesis.rs`).

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// A record named in the path.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct RecordPath {
    /// The record's id: base58check of its 16-byte UUID (`format: record-id`), as in
    /// `docs/protocol.md`. An id that does not parse is refused with 400.
    #[param(format = "record-id")]
    id: String,
}

/// What a search found.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct SearchHits {
    hits: Vec<super::SearchRow>,
}

/// An import that stored every row.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ImportDone {
    report: super::ImportReport,
}

/// An import refused: nothing stored. `report` names the invalid rows when the file could be
/// read row by row; a file refused as a whole (an unknown column, say) has the error only.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ImportRefused {
    /// "中文 / English".
    error: String,
    report: Option<super::ImportReport>,
}

/// The bearer token scheme (a device token).
pub struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let scheme =
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build());
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", scheme);
    }
}

/// The errors every operation can answer with, added to each operation's documented responses
/// where its annotation does not name them: 400 (a bad parameter or body), 401 (no or a wrong
/// token; all but the OpenAPI document) and 500 everywhere; 404 where the path names a record;
/// 403 (refused by the write rules) on every POST and DELETE; 413 (a body over the limit) on
/// every POST; 415 (a body that is not JSON) on the JSON ones; 409 (a record of another kind
/// than the action's) on the desk actions. So a client, and schemathesis, knows every status
/// the server may give.
pub struct StandardErrors;

impl StandardErrors {
    fn error(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let content = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("ErrorBody")))
            .build();
        ResponseBuilder::new()
            .description(description)
            .content("application/json", content)
            .build()
            .into()
    }
}

impl utoipa::Modify for StandardErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let names_record = path.contains("{id}");
            let desk_action = path.starts_with("/api/v1/records/");
            let json_body = desk_action || path == "/api/v1/grants";
            let document = path.ends_with("openapi.json");
            let ops = [
                (item.get.as_mut(), false, false),
                (item.post.as_mut(), true, true),
                (item.delete.as_mut(), true, false),
            ];
            let ops = ops.into_iter().filter_map(|(o, w, b)| o.map(|o| (o, w, b)));
            for (op, write, body) in ops {
                let mut add = |code: &str, description: &str| {
                    op.responses
                        .responses
                        .entry(code.to_owned())
                        .or_insert_with(|| Self::error(description));
                };
                add("500", "内部错误 / internal error (details are logged)");
                if document {
                    continue;
                }
                add("400", "请求无效 / bad parameter or body");
                add("401", "未授权 / no or a wrong token");
                if names_record {
                    add("404", "未找到记录 / no such record, or out of scope");
                }
                if write {
                    add("403", "规则不允许 / refused by the write rules");
                }
                if body {
                    add("413", "请求体过大 / body over the limit");
                }
                if body && json_body {
                    add("415", "请求体须为 JSON / the body must be JSON");
                }
                if body && desk_action {
                    add(
                        "409",
                        "记录类型不符 / the action does not apply to this kind of record",
                    );
                }
            }
        }
    }
}
