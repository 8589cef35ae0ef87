"""Issue 17, customers (seeds 001, 002, 003): the customer file's rules through the FFI, as the
phones of a real company on a real server use it. Each forbidden write is refused on the phone
with the rule named, bilingual; the legal step passes and reaches the others through the
server. (The same forbidden writes sent raw to the server, bypassing the phone's judge, are
refused there with nothing stored: `sync-server/tests/attacks/lifecycle/customer.rs`.)"""

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

import fieldbook_ffi as fb


def run(coro):
    return asyncio.run(coro)


def refused(coro, rule):
    """Awaits `coro`, expecting the phone to refuse it naming `rule`, in both languages."""
    with pytest.raises(fb.FieldbookError.InvalidInput) as err:
        run(coro)
    reason = err.value.reason
    assert f"rule {rule}" in reason, reason
    assert " / " in reason and any("\u4e00" <= ch <= "\u9fff" for ch in reason), reason
    return reason


def li_customer(company, **kw):
    """rep.li's customer with one contact (no consent yet), synced to the server."""
    li = company.phone("rep.li")
    customer = run(li.store.create_customer(fb.Customer(
        name="华东机械", grade=fb.CustomerGrade.B(), visitor_category=fb.VisitorCategory.GENERAL(),
        contacts=[fb.Contact(name="张伟", mobile="13800138000")], **kw)))
    assert run(li.sync()).records_refused == 0
    return customer


def test_only_the_reps_supervisor_regrades_with_the_reason_seed_001(company):
    customer = li_customer(company)
    li, zhao, qian = (company.phone(n) for n in ("rep.li", "sup.zhao", "sup.qian"))
    # The rep may not grade her own customer (seed 001 §3.5: the company classifies).
    refused(li.store.grade_customer(customer.meta.id, fb.CustomerGrade.A(), "我觉得重要"),
            "customer.grade_by_supervisor")
    run(zhao.sync())
    # A raw edit of the grade, without its history, is refused on the supervisor's phone too.
    mine = run(zhao.store.get_customer(customer.meta.id))
    mine.grade = fb.CustomerGrade.C()
    refused(zhao.store.update_customer(mine), "customer.grade_history")
    # No reason, no regrade.
    refused(zhao.store.grade_customer(customer.meta.id, fb.CustomerGrade.C(), " "),
            "customer.grade_history")
    # The legal step: her supervisor regrades, with the reason, and everyone sees why.
    graded = run(zhao.store.grade_customer(customer.meta.id, fb.CustomerGrade.C(), "半年无采购"))
    assert [(h._from, h.to, h.by, h.note) for h in graded.grade_history] == [
        ("B", "C", "sup.zhao", "半年无采购")]
    assert run(zhao.sync()).records_refused == 0
    run(li.sync())
    seen = run(li.store.get_customer(customer.meta.id))
    assert seen.grade == fb.CustomerGrade.C() and seen.grade_history == graded.grade_history
    # The history is append-only: rewriting the reason is refused.
    seen.grade_history = [fb.StatusChange(id=h.id, _from=h._from, to=h.to, at=h.at, by=h.by,
                                          note="改过的原因") for h in seen.grade_history]
    refused(li.store.update_customer(seen), "customer.grade_history")
    # The other team's supervisor does not even hold the record.
    run(qian.sync())
    with pytest.raises(fb.FieldbookError.NotFound):
        run(qian.store.get_customer(customer.meta.id))


def test_calls_need_consent_and_their_log_is_append_only_seed_001_003(company):
    customer = li_customer(company)
    li, zhao = company.phone("rep.li"), company.phone("sup.zhao")
    cid, contact = customer.meta.id, customer.contacts[0].id
    call = fb.CustomerContactNote(contact_id=contact, channel=fb.FollowUpChannel.PHONE(),
                                  outcome=fb.CallOutcome.WILL_ORDER(), note="下月补货")
    # PIPL / seed 003: no consent recorded, no call.
    reason = refused(li.store.log_customer_contact(cid, call), "customer.contact_needs_consent")
    assert "同意" in reason and "consent" in reason
    run(li.store.record_consent(cid, contact, "电话", "售后回访"))
    logged = run(li.store.log_customer_contact(cid, call))
    entry = logged.contact_log[0]
    assert (entry.by, entry.contact_id, entry.outcome) == ("rep.li", contact,
                                                           fb.CallOutcome.WILL_ORDER())
    assert run(li.sync()).records_refused == 0
    run(zhao.sync())
    assert run(zhao.store.get_customer(cid)).contact_log == logged.contact_log
    # Raw edits: erasing the call, or logging one dated tomorrow, are refused.
    erased = run(li.store.get_customer(cid))
    erased.contact_log = []
    refused(li.store.update_customer(erased), "customer.contact_log")
    future = run(li.store.get_customer(cid))
    future.contact_log = future.contact_log + [fb.ContactLogEntry(
        at=datetime.now(timezone.utc) + timedelta(days=1), by="rep.li", contact_id=contact,
        channel=fb.FollowUpChannel.PHONE(), outcome=fb.CallOutcome.NO_ORDER_YET(), note="预填")]
    refused(li.store.update_customer(future), "customer.contact_time")
    # A withdrawal is final: no call afterwards, and it cannot be undone.
    run(li.store.withdraw_consent(cid, contact))
    reason = refused(li.store.log_customer_contact(cid, call), "customer.contact_needs_consent")
    assert "撤回" in reason
    undone = run(li.store.get_customer(cid))
    c = undone.contacts[0]
    undone.contacts = [fb.Contact(id=c.id, name=c.name, mobile=c.mobile, consent=fb.Consent(
        given_at=c.consent.given_at, channel=c.consent.channel, purpose=c.consent.purpose))]
    refused(li.store.update_customer(undone), "customer.consent_kept")
    assert run(li.sync()).records_refused == 0


def test_important_customers_keep_a_reception_card_seed_001(company):
    li = company.phone("rep.li")
    important = fb.Customer(name="钱总", grade=fb.CustomerGrade.B(),
                            visitor_category=fb.VisitorCategory.IMPORTANT())
    reason = refused(li.store.create_customer(important), "customer.reception_card")
    assert "顾客接待卡" in reason
    important.reception_card = fb.ReceptionCard(interests="茶艺", hobbies="高尔夫")
    stored = run(li.store.create_customer(important))
    stored.reception_card = None
    refused(li.store.update_customer(stored), "customer.reception_card")
    general = run(li.store.create_customer(fb.Customer(
        name="孙经理", grade=fb.CustomerGrade.C(), visitor_category=fb.VisitorCategory.GENERAL())))
    general.visitor_category = fb.VisitorCategory.KEY_ACCOUNT()
    refused(li.store.update_customer(general), "customer.reception_card")
    assert run(li.sync()).records_refused == 0


def test_an_a_grade_customer_reaches_the_rep_redacted_seed_001_3_6(company):
    """Seed 001 §3.6: A-grade data is for the marketing manager and above. Upgraded to A, the
    customer stays on the rep's phone as its read-only view (ADR 0013), found by its own id."""
    customer = li_customer(company, notes="每月初补货")
    li, zhao, sun = (company.phone(n) for n in ("rep.li", "sup.zhao", "mkt.sun"))
    run(zhao.sync())
    run(zhao.store.grade_customer(customer.meta.id, fb.CustomerGrade.A(), "年采购额过百万"))
    assert run(zhao.sync()).records_refused == 0
    for phone in (li, zhao):
        run(phone.sync())
        run(phone.sync())
        seen = run(phone.store.get_customer(customer.meta.id))
        assert seen.redacted, phone.name
        assert seen.meta.id != customer.meta.id
        assert (seen.name, seen.grade) == ("华东机械", fb.CustomerGrade.A())
        assert seen.contacts == [] and seen.notes == ""
        seen.notes = "偷偷记一笔"
        refused(phone.store.update_customer(seen), "customer.view_read_only")
    run(sun.sync())
    full = run(sun.store.get_customer(customer.meta.id))
    assert not full.redacted
    assert full.contacts[0].mobile == "13800138000" and full.notes == "每月初补货"
