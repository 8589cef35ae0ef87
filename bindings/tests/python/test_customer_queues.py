"""Issue 17, the customer queues through the FFI, on a real server: the dormant-customer call
queue (seed 001 §6: six months or a year without a purchase are call triggers, the call's
outcome logged) and the weekly contact of key (A-grade) customers (seed 002)."""

import asyncio
from datetime import datetime, timedelta, timezone

import fieldbook_ffi as fb


def run(coro):
    return asyncio.run(coro)


def with_consent(phone, customer):
    """Records the contact's consent (PIPL, seed 003) so that calls may be logged."""
    cid, contact = customer.meta.id, customer.contacts[0].id
    run(phone.store.record_consent(cid, contact, "电话", "老客户回访"))
    return cid, contact


def call(contact, outcome):
    return fb.CustomerContactNote(contact_id=contact, channel=fb.FollowUpChannel.PHONE(),
                                  outcome=outcome, note="回访")


def test_dormant_customers_are_queued_until_a_call_reaches_them_seed_001(company):
    li = company.phone("rep.li")
    now = datetime.now(timezone.utc)
    def customer(name, days):
        return run(li.store.create_customer(fb.Customer(
            name=name, grade=fb.CustomerGrade.C(), visitor_category=fb.VisitorCategory.GENERAL(),
            contacts=[fb.Contact(name="张伟", mobile="13800138000")], dedicated_rep="rep.li",
            last_purchase_at=now - timedelta(days=days))))
    half = customer("半年客户", 200)
    year = customer("一年客户", 400)
    customer("新客户", 30)
    queue = run(li.store.dormant_customers("rep.li"))
    assert [(d.customer.name, d.trigger_months) for d in queue] == [
        ("一年客户", 12), ("半年客户", 6)], "past 12 months is still a call, not dropped"
    cid, contact = with_consent(li, half)
    # Not reached: still due, with the attempt shown.
    run(li.store.log_customer_contact(cid, call(contact, fb.CallOutcome.NOT_REACHED())))
    queue = run(li.store.dormant_customers("rep.li"))
    assert [d.customer.name for d in queue] == ["一年客户", "半年客户"]
    assert queue[1].last_attempt_at is not None
    # Reached: logged, and off the queue.
    run(li.store.log_customer_contact(cid, call(contact, fb.CallOutcome.NO_ORDER_YET())))
    assert [d.customer.name for d in run(li.store.dormant_customers("rep.li"))] == ["一年客户"]
    assert run(li.sync()).records_refused == 0
    # The supervisor's phone, synced, shows the same queue from the logged calls.
    zhao = company.phone("sup.zhao")
    run(zhao.sync())
    assert [d.customer.name for d in run(zhao.store.dormant_customers(None))] == ["一年客户"]
    assert year.meta.id == run(zhao.store.dormant_customers(None))[0].customer.meta.id


def test_key_customers_overdue_for_their_weekly_contact_seed_002(company):
    sun = company.phone("mkt.sun")
    key = run(sun.store.create_customer(fb.Customer(
        name="钻石集团", grade=fb.CustomerGrade.A(), visitor_category=fb.VisitorCategory.GENERAL(),
        contacts=[fb.Contact(name="刘强", mobile="13912345678")])))
    run(sun.store.create_customer(fb.Customer(
        name="普通客户", grade=fb.CustomerGrade.C(), visitor_category=fb.VisitorCategory.GENERAL(),
        contacts=[fb.Contact(name="王五", mobile="13700000000")])))
    # Never contacted: due from the moment it is on file.
    due = run(sun.store.key_contacts_overdue())
    assert [(d.customer.name, d.last_contact_at) for d in due] == [("钻石集团", None)]
    cid, contact = with_consent(sun, key)
    run(sun.store.log_customer_contact(cid, call(contact, fb.CallOutcome.WILL_ORDER())))
    assert run(sun.store.key_contacts_overdue()) == [], "contacted this week"
    assert run(sun.sync()).records_refused == 0
