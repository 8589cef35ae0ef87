//! Customer import is all or nothing (CSV and XLSX), the devices discover what it creates,
//! and the exports of the same list carry Chinese headers first.

use super::*;

const HEADER: &str = "客户名称 / Customer,公司 / Company,等级 / Grade,联系人 / Contact,手机 / Mobile,负责人 / Owner\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_is_all_or_nothing_and_devices_discover_what_it_creates() {
    let w = World::start_at(now()).await;
    let cs = login(&w, "cs.zhou").await;
    let path = "/api/v1/import/customers";
    let before = server_state(&w);
    // Half bad: nothing at all is imported, and the report says which rows and fields.
    let half_bad = format!(
        "{HEADER}上海机床厂,上海机床,B,李雷,13800138001,rep.li\n,无名,A,,12,nobody\n杭州丝绸,杭州丝绸,Z,,,rep.li\n"
    );
    let (s, body) = post_file(&w, path, &cs, "text/csv", half_bad.into_bytes()).await;
    assert_eq!(s, 400, "{body}");
    let rows = body["report"]["rows"].as_array().unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r["ok"].as_bool().unwrap())
            .collect::<Vec<_>>(),
        [true, false, false]
    );
    let fields: Vec<&str> = rows[1]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "mobile", "owner"], "{body}");
    assert_eq!(rows[2]["errors"][0]["field"], "grade");
    assert_eq!(
        (rows[1]["row"].as_u64(), body["report"]["imported"].as_u64()),
        (Some(3), Some(0))
    );
    // An A-grade customer is outside the CS manager's scope: refused by the write rules.
    let a_grade = format!("{HEADER}钻石集团,钻石,A,,,rep.li\n");
    let (s, body) = post_file(&w, path, &cs, "text/csv", a_grade.into_bytes()).await;
    assert_eq!(
        (s, body["report"]["rows"][0]["errors"][0]["field"].as_str()),
        (400, Some("row")),
        "{body}"
    );
    let oversized = vec![b'x'; 2 * 1024 * 1024 + 1];
    let (s, body) = post_file(&w, path, &cs, "text/csv", oversized).await;
    assert_eq!(s, 413, "{body}");
    assert!(body["error"].as_str().unwrap().contains("MiB"));
    let (s, body) = post_file(&w, path, &cs, "application/pdf", b"%PDF".to_vec()).await;
    assert_eq!(s, 415, "{body}");
    let (s, body) = post_file(
        &w,
        path,
        &cs,
        "text/csv",
        "颜色 / Colour\n红\n".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(s, 400, "{body}");
    assert!(body["error"].as_str().unwrap().contains("颜色"));
    let (s, _) = post_file(&w, path, "wrong", "text/csv", HEADER.as_bytes().to_vec()).await;
    assert_eq!(s, 401);
    assert_eq!(server_state(&w), before, "nothing was imported");

    // A good CSV and a good XLSX: new documents, indexed, discovered by the owner's phone.
    let good = format!("\u{feff}{HEADER}上海机床厂,上海机床,B,李雷,138 0013 8001,rep.li\n");
    let (s, body) = post_file(&w, path, &cs, "text/csv", good.into_bytes()).await;
    assert_eq!(s, 200, "{body}");
    let csv_id: RecordId = body["report"]["rows"][0]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let xlsx = xlsx_of(&[
        &["name", "grade", "手机", "owner"],
        &["杭州丝绸", "C", "13800138002", "rep.li"],
        &["苏州园林", "", "", ""],
    ]);
    let kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let (s, body) = post_file(&w, path, &cs, kind, xlsx).await;
    assert_eq!(
        (s, body["report"]["imported"].as_u64()),
        (200, Some(2)),
        "{body}"
    );
    let li = w.device("rep.li");
    li.sync().await;
    let imported: Customer = li.store.get(csv_id).unwrap();
    assert_eq!(
        (imported.name.as_str(), imported.contacts[0].mobile.as_str()),
        ("上海机床厂", "+8613800138001")
    );
    assert_eq!(imported.meta.created_by.as_str(), "cs.zhou");
    let (_, page) = get(
        &w,
        "/api/v1/records?kind=customer&sort=title&order=asc",
        &cs,
    )
    .await;
    assert_eq!(page["total"], 3, "{page}");

    // Exports of the same list, Chinese headers first.
    let (s, kind, bytes) = download(
        &w,
        "/api/v1/records/export.csv?kind=customer&rep=rep.li",
        &cs,
    )
    .await;
    assert_eq!((s, kind.as_str()), (200, "text/csv; charset=utf-8"));
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.starts_with("\u{feff}编号 / ID,类型 / Kind,名称 / Title"),
        "{text}"
    );
    assert_eq!(
        text.lines().count(),
        3,
        "header and li's two customers: {text}"
    );
    let (s, _, bytes) = download(&w, "/api/v1/records/export.xlsx?kind=customer", &cs).await;
    assert_eq!(s, 200);
    let sheet = xlsx_text(&bytes);
    assert!(
        sheet.starts_with("编号 / ID,类型 / Kind,名称 / Title") && sheet.contains("苏州园林"),
        "{sheet}"
    );
    let (s, _, _) = download(&w, "/api/v1/records/export.csv?kind=nope", &cs).await;
    assert_eq!(s, 400);
    let log = w.store.access_log(Some(csv_id), 10).unwrap();
    assert!(
        log.iter()
            .any(|e| e.action == "export" && e.user.as_str() == "cs.zhou")
    );
}

fn xlsx_of(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            if !cell.is_empty() {
                sheet.write_string(r as u32, c as u16, *cell).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}
