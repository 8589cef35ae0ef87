//! The rules, queries and search through a real device store (SQLite files, injected clock).
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use fieldbook_core::model::*;
use fieldbook_core::queries::{dormant, my_day};
use fieldbook_core::rules::{Action, lead, ownership, visit_plan};
use fieldbook_core::search::{SearchField, SearchQuery, search};
use fieldbook_core::*;

fn sh(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    WorkCalendar::china_default().at_local(
        NaiveDate::from_ymd_opt(y, m, d).unwrap(),
        NaiveTime::from_hms_opt(h, mi, 0).unwrap(),
    )
}

struct Device {
    store: DeviceStore,
    clock: Arc<FixedClock>,
    _dir: tempfile::TempDir,
}

fn device(n: u8, user: &str) -> Device {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(sh(2026, 11, 23, 9, 0)));
    let mut o = StoreOptions::new(
        DeviceId::from_random_bytes([n; 16]),
        UserId::new(user).unwrap(),
    );
    o.clock = clock.clone();
    o.entropy = Arc::new(SeededEntropy::new(u64::from(n)));
    let store = DeviceStore::open(dir.path().join("device.sqlite3"), o).unwrap();
    Device {
        store,
        clock,
        _dir: dir,
    }
}

/// Takes a plan through its legal steps: invited and accepted now, attended at `at`.
fn attend(d: &Device, id: RecordId, at: DateTime<Utc>) {
    let cal = WorkCalendar::china_default();
    let (invite, accept) = (Action::on(&d.store), Action::on(&d.store));
    d.store
        .update::<VisitPlan>(id, |p| {
            visit_plan::invite(p, InvitationMethod::Phone, &invite)?;
            visit_plan::accept(p, 2, &accept)
        })
        .unwrap();
    d.clock.set(at);
    let act = Action::on(&d.store);
    d.store
        .update::<VisitPlan>(id, |p| visit_plan::mark_attended(p, &act, &cal))
        .unwrap();
}

fn prospect(name: &str, company: &str, phone: &str) -> LeadReferral {
    LeadReferral {
        source: LeadSource::Web,
        grade: LeadGrade::A,
        prospect: Prospect {
            name: name.into(),
            company: company.into(),
            phone: phone.into(),
            ..Prospect::default()
        },
        ..LeadReferral::default()
    }
}

#[test]
fn a_broken_rule_changes_nothing_in_the_store_seed_000() {
    let d = device(1, "rep.li");
    let plan = d
        .store
        .create(VisitPlan {
            customer_id: Some(RecordId::from_random_bytes([7; 16])),
            purpose: "季度回访".into(),
            place: "客户总部".into(),
            scheduled_at: Some(sh(2026, 11, 30, 10, 0)),
            ..VisitPlan::default()
        })
        .unwrap();
    let act = Action::on(&d.store);
    d.store
        .update::<VisitPlan>(plan.meta.id, |p| {
            visit_plan::invite(p, InvitationMethod::Sms, &act)
        })
        .unwrap();
    let before = d.store.get_json(plan.meta.id).unwrap();
    let act = Action::on(&d.store);
    let err = d
        .store
        .update::<VisitPlan>(plan.meta.id, |p| visit_plan::decline(p, "", &act))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput { ref field, .. } if field == "decline_reason"));
    assert_eq!(d.store.get_json(plan.meta.id).unwrap(), before);
}

#[test]
fn bad_lead_input_is_refused_bilingually_and_stores_nothing_seed_003() {
    let d = device(1, "rep.li");
    let mut bad = prospect("张伟", "", "138 0013");
    bad.prospect.email = "zhang@".into();
    let err = lead::register(&d.store, bad).unwrap_err().to_string();
    assert!(
        err.contains("电话号码无效") && err.contains("not a valid phone number"),
        "{err}"
    );
    assert!(
        d.store
            .list(Some(RecordKind::LeadReferral))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn registered_lead_gets_its_code_and_evidence_seed_002() {
    let d = device(1, "rep.li");
    d.store.note_server_time(sh(2026, 11, 23, 8, 0)).unwrap();
    d.store.note_server_time(sh(2026, 11, 22, 8, 0)).unwrap(); // an older report never lowers it
    let l = lead::register(&d.store, prospect("张伟", "华东机械", "+86 138 0013 8000")).unwrap();
    let stored: LeadReferral = d.store.get(l.meta.id).unwrap();
    assert_eq!(stored.code, lead::code_for(l.meta.id));
    assert_eq!(stored.prospect.phone, "+8613800138000");
    assert_eq!(stored.clock_floor_at, Some(sh(2026, 11, 23, 8, 0)));
    assert_eq!(stored.registered_at, Some(sh(2026, 11, 23, 9, 0)));
}

#[test]
fn the_losing_rep_sees_who_owns_the_lead_after_sync_seed_003() {
    let li = device(1, "rep.li");
    let wang = device(2, "rep.wang");
    wang.clock.set(sh(2026, 11, 23, 8, 30));
    let w = lead::register(&wang.store, prospect("张伟", "", "13800138000")).unwrap();
    let l = lead::register(&li.store, prospect("张 伟", "华东机械", "138-0013-8000")).unwrap();
    for (from, to, id) in [(&wang, &li, w.meta.id), (&li, &wang, l.meta.id)] {
        to.store
            .import_changes(id, &from.store.export_changes(id, &[]).unwrap())
            .unwrap();
    }
    for d in [&li, &wang] {
        let leads = d.store.leads_with_key("tel:+8613800138000").unwrap();
        let decision = ownership::decide(&leads).unwrap();
        assert_eq!(decision.winner.lead, w.meta.id);
        assert!(decision.explain_to(l.meta.id).contains("rep.wang"));
    }
}

#[test]
fn my_day_lists_visits_follow_ups_reports_proposals_and_trade_show_leads_seeds_001_002_003() {
    let d = device(1, "rep.li");
    let cal = WorkCalendar::china_default();
    d.store
        .create(VisitPlan {
            purpose: "今日拜访".into(),
            scheduled_at: Some(sh(2026, 11, 23, 14, 0)),
            ..VisitPlan::default()
        })
        .unwrap();
    d.store
        .create(VisitPlan {
            purpose: "明日拜访".into(),
            scheduled_at: Some(sh(2026, 11, 24, 14, 0)),
            ..VisitPlan::default()
        })
        .unwrap();
    let mut report = ReturnVisitReport {
        purpose: "回访".into(),
        visited_on: NaiveDate::from_ymd_opt(2026, 11, 20),
        ..ReturnVisitReport::default()
    };
    report.proposals.push(Proposal {
        id: "p1".into(),
        text: "夜间送货".into(),
        received_at: sh(2026, 11, 10, 9, 0),
        ..Proposal::default()
    });
    d.store.create(report).unwrap();
    d.clock.set(sh(2026, 11, 10, 9, 0));
    let mut show = prospect("李娜", "", "13900139000");
    show.source = LeadSource::TradeShow;
    show.event = "广交会".into();
    lead::register(&d.store, show).unwrap();
    d.clock.set(sh(2026, 11, 23, 9, 0));
    let day =
        my_day::my_day_from_store(&d.store, d.store.user(), d.store.clock().now(), &cal).unwrap();
    assert_eq!(
        day.visits_today
            .iter()
            .map(|v| v.title.as_str())
            .collect::<Vec<_>>(),
        ["今日拜访"]
    );
    assert_eq!(
        day.reports.len(),
        1,
        "Friday's report was due Monday — today"
    );
    assert_eq!(day.proposals.len(), 1, "the 10-day target has passed");
    assert_eq!(
        day.follow_ups.len(),
        1,
        "grade A, weekly, registered 13 days ago"
    );
    assert!(day.follow_ups[0].overdue);
    assert_eq!(day.trade_show_leads.len(), 1);
    assert!(day.trade_show_leads[0].overdue);
}

#[test]
fn dormant_customers_from_the_store_seed_001() {
    let d = device(1, "rep.li");
    d.store
        .create(Customer {
            name: "老客户".into(),
            last_purchase_at: Some(sh(2026, 3, 1, 10, 0)),
            ..Customer::default()
        })
        .unwrap();
    d.store
        .create(Customer {
            name: "新客户".into(),
            last_purchase_at: Some(sh(2026, 11, 1, 10, 0)),
            ..Customer::default()
        })
        .unwrap();
    let list = dormant::dormant_from_store(
        &d.store,
        None,
        sh(2026, 11, 23, 9, 0),
        &WorkCalendar::china_default(),
    )
    .unwrap();
    assert_eq!(
        list.iter()
            .map(|c| (c.customer.name.as_str(), c.trigger))
            .collect::<Vec<_>>(),
        [("老客户", dormant::DormantTrigger::SixMonths)]
    );
}

fn seeded_search_store() -> Device {
    let d = device(1, "rep.li");
    d.store
        .create(Customer {
            name: "张伟".into(),
            company: "华东机械制造有限公司".into(),
            notes: "关注节能型号".into(),
            contacts: vec![Contact {
                id: "c1".into(),
                name: "王芳".into(),
                mobile: "13800138000".into(),
                ..Contact::default()
            }],
            ..Customer::default()
        })
        .unwrap();
    d.store
        .create(Customer {
            name: "张伟强".into(),
            company: "南方电气".into(),
            ..Customer::default()
        })
        .unwrap();
    lead::register(&d.store, prospect("赵敏", "西部物流", "+86 139 0013 9000")).unwrap();
    d
}

fn first(d: &Device, q: &str) -> (String, SearchField) {
    let hits = search(&d.store, &SearchQuery::new(q)).unwrap();
    let h = hits
        .first()
        .unwrap_or_else(|| panic!("nothing found for {q}"));
    (h.title.clone(), h.field)
}

#[test]
fn search_finds_chinese_substrings_short_and_long() {
    let d = seeded_search_store();
    assert_eq!(
        first(&d, "张伟"),
        ("张伟 (华东机械制造有限公司)".into(), SearchField::Name),
        "exact name ranks first"
    );
    assert_eq!(
        search(&d.store, &SearchQuery::new("张伟")).unwrap().len(),
        2
    );
    assert_eq!(first(&d, "机械制造").1, SearchField::Company);
    assert_eq!(first(&d, "节能型号").1, SearchField::Notes);
    assert_eq!(
        first(&d, "华东").1,
        SearchField::Company,
        "2-character company names"
    );
    assert!(
        search(&d.store, &SearchQuery::new("节能"))
            .unwrap()
            .is_empty(),
        "notes need 3 characters"
    );
    assert_eq!(first(&d, "王芳").1, SearchField::Contact);
    assert!(
        search(&d.store, &SearchQuery::new("不存在的公司"))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn search_by_pinyin_full_and_initials() {
    let d = seeded_search_store();
    assert_eq!(
        first(&d, "zhangwei"),
        (
            "张伟 (华东机械制造有限公司)".into(),
            SearchField::PinyinFull
        )
    );
    assert_eq!(first(&d, "zw").1, SearchField::PinyinInitials);
    assert_eq!(first(&d, "ZhaoMin").0, "赵敏 (西部物流)");
}

#[test]
fn search_by_phone_in_any_written_form() {
    let d = seeded_search_store();
    for q in ["13800138000", "138-0013-8000", "+86 138 0013 8000", "8000"] {
        assert_eq!(first(&d, q).1, SearchField::Phone, "{q}");
    }
    assert_eq!(first(&d, "139 0013 9000").0, "赵敏 (西部物流)");
}

#[test]
fn search_follows_edits_in_the_same_transaction() {
    let d = seeded_search_store();
    let id = search(&d.store, &SearchQuery::new("南方电气")).unwrap()[0].id;
    d.store
        .update::<Customer>(id, |c| {
            c.company = "北方电气".into();
            Ok(())
        })
        .unwrap();
    assert!(
        search(&d.store, &SearchQuery::new("南方电气"))
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        search(&d.store, &SearchQuery::new("北方电气")).unwrap()[0].id,
        id
    );
}

#[test]
fn the_calendar_is_configurable_data() {
    let json = r#"{"time_zone":"Asia/Urumqi","holidays":["2026-11-24"],"working_weekends":["2026-11-29"]}"#;
    let cal = WorkCalendar::from_json(json).unwrap();
    assert!(!cal.is_working_day(NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()));
    assert!(cal.is_working_day(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()));
    let end = cal.end_of_day(NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
    assert_eq!(
        end.to_rfc3339(),
        "2026-11-23T17:59:59+00:00",
        "the day ends in Urumqi time (UTC+6)"
    );
}

#[test]
fn the_monthly_expense_limit_holds_across_stored_receptions_seed_001() {
    use fieldbook_core::rules::reception::{ExpenseRequest, apply_expense_in_store};
    let d = device(1, "rep.li");
    let cal = WorkCalendar::china_default();
    let visit = Some(sh(2026, 12, 1, 10, 0));
    let a = d
        .store
        .create(ReceptionNote {
            visit_at: visit,
            ..ReceptionNote::default()
        })
        .unwrap();
    let b = d
        .store
        .create(ReceptionNote {
            visit_at: visit,
            ..ReceptionNote::default()
        })
        .unwrap();
    let req = ExpenseRequest {
        amount_fen: 50_000,
        purpose: "午餐".into(),
    };
    apply_expense_in_store(&d.store, a.meta.id, &req, &cal).unwrap();
    assert!(apply_expense_in_store(&d.store, b.meta.id, &req, &cal).is_err());
    assert!(
        d.store
            .get::<ReceptionNote>(b.meta.id)
            .unwrap()
            .expense
            .is_none()
    );
}

#[test]
fn the_supervisor_week_and_daily_report_from_the_store_seed_004() {
    use fieldbook_core::queries::weekly;
    let d = device(1, "rep.li");
    let cal = WorkCalendar::china_default();
    let a = d
        .store
        .create(Customer {
            name: "甲".into(),
            grade: CustomerGrade::A,
            ..Customer::default()
        })
        .unwrap();
    let at = sh(2026, 11, 24, 10, 0);
    let plan = d
        .store
        .create(VisitPlan {
            customer_id: Some(a.meta.id),
            purpose: "季度回访".into(),
            place: "客户总部".into(),
            scheduled_at: Some(at),
            in_depth: true,
            ..VisitPlan::default()
        })
        .unwrap();
    attend(&d, plan.meta.id, at);
    let week = weekly::weekly_summary_from_store(
        &d.store,
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
        &cal,
    )
    .unwrap();
    assert_eq!(
        week[d.store.user()],
        weekly::WeekSummary {
            visits: 1,
            calls: 0,
            ab_customers: 0
        },
        "an A value grade with no A/B intent lead is not counted (seed 004)"
    );
    let day = weekly::daily_report_from_store(
        &d.store,
        d.store.user(),
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        sh(2026, 11, 24, 22, 0),
        &cal,
    )
    .unwrap();
    assert!(day.minimum_met && !day.overdue);
}
