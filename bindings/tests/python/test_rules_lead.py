"""Issue 17, leads (seeds 002 篇3, 003): every lifecycle step through the FFI on the phones of a
real company, the forbidden ones refused on the phone with the rule named (bilingual), and
what a phone's judge would not catch (a back-dated follow-up) refused by the server with
nothing stored. The same steps sent raw by a stock client are refused in
`sync-server/tests/attacks/lifecycle/lead.rs`."""

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

import fieldbook_ffi as fb


def run(coro):
    return asyncio.run(coro)


def now():
    return datetime.now(timezone.utc)


def note(said="电话沟通", next_step="再联系"):
    return fb.FollowUpNote(channel=fb.FollowUpChannel.PHONE(), said=said, next_step=next_step)


def new_lead(name, phone, booth_at=None):
    """A walk-in lead; with `booth_at`, the talk at the booth logged with the registration."""
    talks = []
    if booth_at:
        talks = [fb.FollowUp(at=booth_at, by="rep.li", channel=fb.FollowUpChannel.VISIT(),
                             said="展位交流，需要两台设备", next_step="电话跟进")]
    return fb.LeadReferral(source=fb.LeadSource.WALK_IN(), grade=fb.LeadGrade.B(),
                           status=fb.LeadStatus.OPEN(),
                           prospect=fb.Prospect(name=name, phone=phone), follow_ups=talks)


def booth_phone(company):
    """rep.li's booth tablet, new and offline since yesterday's show: what it logged then has
    not met a completed sync yet, so the server takes yesterday's time."""
    device = fb.new_device_id()
    out = company.cli("add-device", "--user", "rep.li", "--device", device)
    token = next(l.removeprefix("token ") for l in out.splitlines() if l.startswith("token "))
    store = fb.FieldbookStore.open(str(company.tmp / "booth.sqlite3"), device, "rep.li",
                                   role="field_rep")
    return store, token


def refused(coro, rule):
    """The phone refuses: the error names the rule, Chinese first then English."""
    with pytest.raises(fb.FieldbookError.InvalidInput) as err:
        run(coro)
    reason = err.value.reason
    assert f"rule {rule}" in reason and " / " in reason, reason
    return err.value


def test_a_lead_is_lost_only_by_the_supervisor_confirming_the_reps_request_seed_003(company):
    li, zhao, qian = (company.phone(n) for n in ("rep.li", "sup.zhao", "sup.qian"))
    booth, token = booth_phone(company)
    lead = run(booth.create_lead(new_lead("张伟", "13800138000", now() - timedelta(days=1))))
    lid = lead.meta.id
    lead = run(booth.log_follow_up(lid, note("预算冻结", "下月再问")))
    # Back on signal: the tablet syncs, and her phone receives the lead.
    session = fb.SyncSession(booth, every_seconds=3600)
    session.start(company.url, token)
    try:
        assert run(session.sync_now()).records_refused == 0
    finally:
        session.stop()
    run(li.sync())
    # Marking it lost outright through a raw edit is refused by the phone's judge.
    raw = lead
    raw.status = fb.LeadStatus.LOST()
    raw.lost_reason = "价格"
    refused(li.store.update_lead(raw), "lead.status")
    # One day of follow-ups is not enough (seed 003 fines fake lost marks).
    once = run(li.store.create_lead(new_lead("王五", "13900139000")))
    run(li.store.log_follow_up(once.meta.id, note()))
    with pytest.raises(fb.FieldbookError.InvalidInput) as err:
        run(li.store.request_lead_lost(once.meta.id, "没兴趣"))
    assert err.value.field == "follow_ups" and "两个不同日期" in err.value.reason
    # Two days: she asks; the lead stays open until her supervisor decides.
    asked = run(li.store.request_lead_lost(lid, "客户取消预算"))
    assert asked.status == fb.LeadStatus.OPEN() and asked.lost_request.reason == "客户取消预算"
    with pytest.raises(fb.FieldbookError.InvalidInput) as err:
        run(li.store.confirm_lead_lost(lid))
    assert err.value.field == "lost_request", "not by the rep who asked"
    assert run(li.sync()).records_refused == 0
    # The other team's supervisor never receives it; hers confirms it.
    run(qian.sync())
    with pytest.raises(fb.FieldbookError.NotFound):
        run(qian.store.get_lead(lid))
    run(zhao.sync())
    lost = run(zhao.store.confirm_lead_lost(lid))
    assert (lost.status, lost.lost_reason) == (fb.LeadStatus.LOST(), "客户取消预算")
    assert lost.history[-1].by == "sup.zhao"
    assert run(zhao.sync()).records_refused == 0
    run(li.sync())
    assert run(li.store.get_lead(lid)).status == fb.LeadStatus.LOST()


def test_the_pipeline_moves_with_follow_ups_and_won_and_invoiced_carry_amounts_seeds_002_003(
        company):
    li, zhao = company.phone("rep.li"), company.phone("sup.zhao")
    lead = run(li.store.create_lead(new_lead("赵六", "13700137000")))
    lid = lead.meta.id
    jump = lead
    jump.stage = fb.PipelineStage.CONTRACT()
    refused(li.store.update_lead(jump), "lead.stage")
    run(li.store.advance_lead_stage(lid, note("了解需求：两台", "准备方案")))
    moved = run(li.store.advance_lead_stage(lid, note("方案已发", "等反馈")))
    assert moved.stage == fb.PipelineStage.PROPOSAL()
    assert [s.follow_up_id for s in moved.stage_changes] == [f.id for f in moved.follow_ups]
    customer = run(li.store.create_customer(fb.Customer(
        name="赵六", grade=fb.CustomerGrade.B(), visitor_category=fb.VisitorCategory.GENERAL())))
    with pytest.raises(fb.FieldbookError.InvalidInput) as err:
        run(li.store.mark_lead_won(lid, customer.meta.id, 0))
    assert err.value.field == "won_amount_fen"
    won = run(li.store.mark_lead_won(lid, customer.meta.id, 30_000_000))
    assert (won.status, won.won_amount_fen) == (fb.LeadStatus.WON(), 30_000_000)
    raised = won
    raised.won_amount_fen = 50_000_000
    refused(li.store.update_lead(raised), "lead.won")
    done = run(li.store.mark_lead_invoiced(lid, 29_500_000))
    assert done.status == fb.LeadStatus.INVOICED() and done.invoiced_amount_fen == 29_500_000
    assert run(li.sync()).records_refused == 0
    run(zhao.sync())
    seen = run(zhao.store.get_lead(lid))
    assert (seen.status, seen.won_amount_fen) == (fb.LeadStatus.INVOICED(), 30_000_000)


def test_follow_ups_are_the_reps_own_append_only_and_never_back_dated_seed_003(company):
    li, zhao = company.phone("rep.li"), company.phone("sup.zhao")
    lead = run(li.store.create_lead(new_lead("孙七", "13600136000")))
    lid = lead.meta.id
    lead = run(li.store.log_follow_up(lid, note("询价", "发报价")))
    assert run(li.sync()).records_refused == 0  # a completed sync: the server's floor
    rewritten = lead
    rewritten.follow_ups[0].said = "客户已下单"
    refused(li.store.update_lead(rewritten), "lead.follow_up")
    for by, at in (("sup.zhao", now()), ("rep.li", now() + timedelta(days=1))):
        lead = run(li.store.get_lead(lid))
        lead.follow_ups = lead.follow_ups + [fb.FollowUp(
            at=at, by=by, channel=fb.FollowUpChannel.PHONE(), said="电话", next_step="再联系")]
        refused(li.store.update_lead(lead), "lead.follow_up")
    # A follow-up dated three days back: the phone cannot know her last sync's time, the
    # server does, and refuses it; nothing reaches her supervisor.
    lead = run(li.store.get_lead(lid))
    lead.follow_ups = lead.follow_ups + [fb.FollowUp(
        at=now() - timedelta(days=3), by="rep.li", channel=fb.FollowUpChannel.VISIT(),
        said="上门拜访", next_step="等待决策")]
    run(li.store.update_lead(lead))
    run(li.sync())
    # The refusal came back in a round (the one the edit woke, or this one): the app lists it.
    refusals = run(li.store.refused_changes())
    assert [r.record_id for r in refusals] == [lid], refusals
    assert "lead.follow_up" in refusals[0].reason and "倒填" in refusals[0].reason
    run(zhao.sync())
    assert [f.said for f in run(zhao.store.get_lead(lid)).follow_ups] == ["询价"]


def test_the_code_and_registration_are_fixed_seed_002(company):
    li = company.phone("rep.li")
    lead = run(li.store.create_lead(new_lead("周八", "13500135000")))
    assert lead.code.startswith("XS-")
    lead.code = "XS-MINE"
    refused(li.store.update_lead(lead), "lead.fixed")
