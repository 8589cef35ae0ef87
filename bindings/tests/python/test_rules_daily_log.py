"""Issue 17, the daily visit log (拜访记录表 / 客户报备表, seed 003 业务员客户报备管理办法): the rep
fills in her log of the day and reports it to her supervisor before 21:00 (晚上九点钟之前向领导汇报);
a later report is recorded and shown late; once reported it is frozen; the supervisor's monthly
tally counts one point per in-depth visit that a real visit record backs (该分以真实的拜访记录为准),
against the 30 required. The same steps sent raw to the server (the phone's judge bypassed) are
refused there with nothing stored in `sync-server/tests/attacks/lifecycle/daily_log.rs`."""

import asyncio
import datetime as dt

import pytest

import fieldbook_ffi as fb

# The company's days are Shanghai's (UTC+8, no daylight saving).
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def run(coro):
    return asyncio.run(coro)


def shanghai_now():
    return dt.datetime.now(SHANGHAI)


def cal(d):
    return fb.CalendarDate(year=d.year, month=d.month, day=d.day)


def refused(rule, call):
    """The phone refuses: the error names `rule` and is Chinese first, then English."""
    with pytest.raises(fb.FieldbookError.InvalidInput) as err:
        run(call)
    text = str(err.value)
    assert rule in text, text
    assert " / " in text, text
    return text


async def customer(phone, name):
    c = await phone.store.create_customer(fb.Customer(
        meta=fb.RecordMeta(), name=name, grade=fb.CustomerGrade.B(),
        visitor_category=fb.VisitorCategory.GENERAL()))
    return c.meta.id


def test_a_log_reported_today_and_yesterday_s_shown_late_seed_003(company):
    li = company.phone("rep.li")
    now = shanghai_now()
    today, yesterday = now.date(), now.date() - dt.timedelta(days=1)
    cid = run(customer(li, "华联超市"))
    entry = fb.LogEntry(customer_id=cid, in_depth=True, note="深入拜访，谈续约")

    log = run(li.store.save_daily_log(cal(today), [entry], "客户要求延期付款", "拜访王芳"))
    assert log.submitted_at is None and not log.late and log.entries[0].id
    log = run(li.store.submit_daily_log(cal(today)))
    assert log.submitted_at is not None
    due = dt.datetime(today.year, today.month, today.day, 21, tzinfo=SHANGHAI)
    assert log.due_at == due
    assert log.late == (log.submitted_at > due), "late only after 21:00 of its day"

    # Yesterday's log, reported today: recorded, and late.
    run(li.store.save_daily_log(cal(yesterday), [entry], "", "补交"))
    late = run(li.store.submit_daily_log(cal(yesterday)))
    assert late.submitted_at is not None and late.late
    # Tomorrow's visits cannot be reported yet.
    refused("daily_log.not_before_day",
            li.store.submit_daily_log(cal(today + dt.timedelta(days=1))))
    assert run(li.store.get_daily_log("", cal(today + dt.timedelta(days=1)))) is None
    # Both reach the server and her supervisor, at the ids both derive from (rep, day).
    assert run(li.sync()).records_refused == 0
    zhao = company.phone("sup.zhao")
    run(zhao.sync())
    seen = run(zhao.store.get_daily_log("rep.li", cal(yesterday)))
    assert seen is not None and seen.late and seen.meta.id == late.meta.id


def test_a_correction_after_submission_is_refused_on_the_phone_seed_003(company):
    li, zhao = company.phone("rep.li"), company.phone("sup.zhao")
    today = shanghai_now().date()
    cid = run(customer(li, "王芳"))
    run(li.store.save_daily_log(cal(today), [fb.LogEntry(customer_id=cid, in_depth=True)],
                                "无", "拜访华联"))
    # An entry must name its customer.
    refused("daily_log.entry_names_customer",
            li.store.save_daily_log(cal(today), [fb.LogEntry(customer_id="")], "", ""))
    submitted = run(li.store.submit_daily_log(cal(today)))
    refused("daily_log.submitted_frozen",
            li.store.save_daily_log(cal(today), [], "改了", "改了"))
    refused("daily_log.submitted_frozen", li.store.submit_daily_log(cal(today)))
    assert run(li.store.get_daily_log("", cal(today))) == submitted, "nothing changed"
    # The rep does not acknowledge her own report; her supervisor does, once.
    refused("daily_log.ack_by_supervisor",
            li.store.acknowledge_daily_log("rep.li", cal(today), "好"))
    assert run(li.sync()).records_refused == 0
    run(zhao.sync())
    acked = run(zhao.store.acknowledge_daily_log("rep.li", cal(today), "收到"))
    assert acked.acknowledged.by == "sup.zhao" and acked.acknowledged.comment == "收到"
    refused("daily_log.ack_once", zhao.store.acknowledge_daily_log("rep.li", cal(today), "再次"))
    assert run(zhao.sync()).records_refused == 0
    run(li.sync())
    assert run(li.store.get_daily_log("", cal(today))).acknowledged.by == "sup.zhao"


def test_the_monthly_tally_counts_only_real_in_depth_visits_seed_003(company):
    li, zhao = company.phone("rep.li"), company.phone("sup.zhao")
    today = shanghai_now().date()
    real, claimed, casual = (run(customer(li, n)) for n in ("华联超市", "王芳", "李记"))
    # The visit to `real` is on record: her filed return-visit report of today.
    report = run(li.store.create_return_visit_report(fb.ReturnVisitReport(
        rep="rep.li", customer_id=real, visited_on=cal(today), purpose="季度回访")))
    run(li.store.file_report(report.meta.id))
    entries = [
        fb.LogEntry(customer_id=real, in_depth=True),
        fb.LogEntry(customer_id=claimed, in_depth=True, note="没有拜访记录"),
        fb.LogEntry(customer_id=casual, in_depth=False),
    ]
    log = run(li.store.save_daily_log(cal(today), entries, "", ""))
    run(li.store.submit_daily_log(cal(today)))
    assert run(li.sync()).records_refused == 0
    run(zhao.sync())

    [t] = run(zhao.store.daily_tally(cal(today), "rep.li"))
    assert (t.rep, t.month) == ("rep.li", cal(today.replace(day=1)))
    assert (t.logs_submitted, t.points, t.required, t.short_by) == (1, 1, 30, 29)
    assert [(u.log_id, u.customer_id) for u in t.unbacked] == [(log.meta.id, claimed)]
    assert not t.month_closed and not t.cleaning_duty, "the month is not over yet"
    assert cal(today) not in t.days_without_log
    # The supervisor's phone counts the team it holds: rep.li only (rep.wang is west).
    assert [x.rep for x in run(zhao.store.daily_tally(cal(today), None))] == ["rep.li"]
