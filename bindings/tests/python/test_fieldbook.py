"""The FFI surface through uniffi's Python bindings: the same scenario as the Kotlin test, so the
surface is exercised from two languages. Run by scripts/test-ffi.sh, which generates the
`fieldbook_ffi` module next to the built library and puts it on PYTHONPATH."""

import asyncio
import queue
from datetime import datetime, timedelta, timezone

import pytest

import fieldbook_ffi as fb

BOOTH_TIME = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)


class Changes(fb.RecordObserver):
    def __init__(self):
        self.queue = queue.Queue()

    def on_record_changed(self, change):
        self.queue.put(change)

    def next(self):
        return self.queue.get(timeout=10)


def booth_lead(name, **kw):
    return fb.LeadReferral(
        source=fb.LeadSource.TRADE_SHOW(),
        grade=fb.LeadGrade.C(),
        status=fb.LeadStatus.OPEN(),
        event="2026 上海工业展",
        prospect=fb.Prospect(name=name, company="华东机械"),
        registered_at=BOOTH_TIME,
        follow_ups=[fb.FollowUp(at=BOOTH_TIME, channel=fb.FollowUpChannel.VISIT(), said="展位交流",
                                next_step="寄样品")],
        **kw,
    )


@pytest.fixture
def stores(tmp_path):
    device_a = fb.new_device_id()
    a = fb.FieldbookStore.open(str(tmp_path / "a.sqlite3"), device_a, "rep.li")
    b = fb.FieldbookStore.open(str(tmp_path / "b.sqlite3"), fb.new_device_id(), "rep.wang")
    return a, b, str(tmp_path / "a.sqlite3"), device_a


def run(coro):
    return asyncio.run(coro)


def test_capture_edit_list_and_reopen(stores):
    a, _, path_a, device_a = stores

    async def scenario():
        lead = await a.create_lead(booth_lead("张伟"))
        assert lead.meta.id and lead.meta.created_by == "rep.li"
        assert lead.follow_ups[0].id, "follow-up got no id"
        # A follow-up is logged through its step (issue 17: raw follow-ups are judged).
        call = fb.FollowUpNote(channel=fb.FollowUpChannel.PHONE(), said="电话回访", next_step="报价")
        lead = await a.log_follow_up(lead.meta.id, call)
        lead.grade = fb.LeadGrade.A()
        edited = await a.update_lead(lead)
        assert edited.grade == fb.LeadGrade.A()
        assert len(edited.follow_ups) == 2
        rows = await a.list_records(fb.RecordKind.LEAD_REFERRAL)
        assert [(r.title, r.grade) for r in rows] == [("张伟 (华东机械)", "A")]
        return edited

    edited = run(scenario())
    reopened = fb.FieldbookStore.open(path_a, device_a, "rep.li")
    assert run(reopened.get_lead(edited.meta.id)) == edited


def test_invalid_input_names_the_field(stores):
    a = stores[0]
    with pytest.raises(fb.FieldbookError.InvalidInput) as err:
        run(a.create_lead(booth_lead("李雷", customer_id="not-an-id")))
    assert err.value.field == "customer_id"
    assert err.value.reason.startswith("无效的标识 / invalid id")


def test_observer_fires_until_cancelled(stores):
    a = stores[0]
    first = Changes()
    handle = a.observe_records(first)
    customer = run(a.create_customer(fb.Customer(
        name="王芳", grade=fb.CustomerGrade.B(), visitor_category=fb.VisitorCategory.IMPORTANT(),
        reception_card=fb.ReceptionCard(interests="茶艺"))))
    change = first.next()
    assert (change.id, change.kind, change.origin) == (
        customer.meta.id, fb.RecordKind.CUSTOMER, fb.ChangeOrigin.LOCAL)
    handle.cancel()
    second = Changes()
    handle2 = a.observe_records(second)  # kept: releasing the handle ends the observation
    customer.needs = "年度维保"
    run(a.update_customer(customer))
    assert second.next().id == customer.meta.id
    assert first.queue.empty()
    handle2.cancel()


def test_concurrent_edits_conflict_and_resolve(stores):
    a, b, _, _ = stores

    async def scenario():
        lead = await a.create_lead(booth_lead("张伟"))
        lid = lead.meta.id
        assert await b.import_changes(lid, await a.export_changes(lid))
        on_a = await a.get_lead(lid)
        on_a.grade = fb.LeadGrade.B()
        await a.update_lead(on_a)
        on_b = await b.get_lead(lid)
        on_b.grade = fb.LeadGrade.H()
        await b.update_lead(on_b)
        await a.import_changes(lid, await b.export_changes(lid))
        [grade] = await a.conflicts(lid)
        assert grade.path == "/grade"
        assert {grade.winner.display} | {o.display for o in grade.others} == {"B", "H"}
        await a.resolve_conflict(lid, "/grade", '"B"')
        assert await a.conflicts(lid) == []
        assert (await a.get_lead(lid)).grade == fb.LeadGrade.B()

    run(scenario())


def test_unknown_record_is_not_found(stores):
    a, b, _, _ = stores
    lead = run(a.create_lead(booth_lead("张伟")))
    with pytest.raises(fb.FieldbookError.NotFound):
        run(b.get_lead(lead.meta.id))


def test_an_encrypted_store_opens_only_with_its_key(tmp_path):
    path = str(tmp_path / "secret.sqlite3")
    device = fb.new_device_id()
    key = bytes(range(32))
    store = fb.FieldbookStore.open(path, device, "rep.li", key)
    lead = run(store.create_lead(booth_lead("张伟")))
    del store
    with open(path, "rb") as f:
        raw = f.read()
    assert "张伟".encode() not in raw and b"SQLite format 3" not in raw[:16]
    for wrong in (bytes(32), None):
        with pytest.raises(fb.FieldbookError.AuthNeeded):
            fb.FieldbookStore.open(path, device, "rep.li", wrong)
    with pytest.raises(fb.FieldbookError.InvalidInput) as short:
        fb.FieldbookStore.open(path, device, "rep.li", b"too short")
    assert short.value.field == "key"
    again = fb.FieldbookStore.open(path, device, "rep.li", key=key)
    assert run(again.get_lead(lead.meta.id)).prospect.name == "张伟"
