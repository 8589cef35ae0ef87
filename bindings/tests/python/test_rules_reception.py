"""Receptions and their expenses through the FFI, on the phones of a real company (seed 001
§1–2): no voucher, no visit; the voucher and both expense decisions by their managers, never by
the host; the budget set by the approvers; overspending recorded and borne by the rep; receipts
due in 15 days, shown in a queue; finance reimburses. Each forbidden step is refused on the
phone, by the action and by a raw `update_reception_note`, with the rule named. (The same
changes sent raw to the server are refused there: sync-server/tests/attacks/lifecycle/
reception.rs.)"""

import asyncio
import copy
from datetime import datetime, timedelta, timezone

import pytest

import fieldbook_ffi as fb

DAY = 24 * 3600


def changed(record, **fields):
    """A copy of an FFI record with `fields` replaced (what an app's raw edit sends)."""
    out = copy.deepcopy(record)
    for k, v in fields.items():
        setattr(out, k, v)
    return out


def refused(call, *words):
    with pytest.raises(fb.FieldbookError.InvalidInput) as err:
        asyncio.run(call)
    text = str(err.value)
    for w in words:
        assert w in text, text
    return text


def synced(*phones):
    for p in phones:
        report = asyncio.run(p.sync())
        assert report.records_refused == 0, (p.name, report)


def test_a_reception_from_voucher_to_reimbursement_seed_001(company):
    li, cs, fin = (company.phone(n) for n in ("rep.li", "cs.zhou", "fin.wu"))
    visit = datetime.now(timezone.utc) + timedelta(days=2)
    note = asyncio.run(li.store.create_reception_note(fb.ReceptionNote(
        category=fb.VisitorCategory.GENERAL(), status=fb.ReceptionStatus.PLANNED(),
        host="rep.li", head_count=6, purpose="参观生产线 / a tour of the line",
        visit_at=visit)))
    rid = note.meta.id

    # No voucher, no visit (seed 001 §1.5(1)): the action and a raw edit are refused.
    refused(li.store.hold_reception(rid), "来访凭证", "voucher")
    held = changed(note, status=fb.ReceptionStatus.HELD())
    refused(li.store.update_reception_note(held), "reception.held_needs_voucher")
    # The host cannot approve her own voucher.
    refused(li.store.approve_visit_voucher(rid, "V-1"), "host cannot approve")

    # The applicant asks; she cannot write her own budget (seed 001 §2).
    note = asyncio.run(li.store.apply_for_reception_expense(rid, 50_000, "午餐 / lunch"))
    assert note.expense.budget_fen == 0
    own = changed(note, expense=changed(note.expense, budget_fen=80_000))
    refused(li.store.update_reception_note(own), "reception.budget_from_approvers", " / ")
    # Nor approve it herself.
    refused(li.store.decide_reception_expense(
        rid, fb.ExpenseApprover.CUSTOMER_SERVICE_MANAGER, True, None, ""), "applicant")
    synced(li, cs, fin)

    # Finance decides only after the customer-service manager.
    refused(fin.store.decide_reception_expense(
        rid, fb.ExpenseApprover.FINANCE_MANAGER, True, None, ""), "customer-service manager")
    asyncio.run(cs.store.approve_visit_voucher(rid, "V-1"))
    note = asyncio.run(cs.store.decide_reception_expense(
        rid, fb.ExpenseApprover.CUSTOMER_SERVICE_MANAGER, True, 40_000, "同意 / approved"))
    assert note.expense.budget_fen == 40_000
    synced(cs, fin)
    asyncio.run(fin.store.decide_reception_expense(
        rid, fb.ExpenseApprover.FINANCE_MANAGER, True, None, ""))
    synced(fin, li)

    # Held, then spending above the budget: recorded, the excess borne by the rep.
    asyncio.run(li.store.hold_reception(rid))
    note = asyncio.run(li.store.record_reception_spending(rid, 55_000))
    assert (note.expense.spent_fen, note.expense.over_budget_fen) == (55_000, 15_000)
    queue = asyncio.run(li.store.receipts_queue(None))
    assert [q.reception_id for q in queue] == [rid]
    assert queue[0].owed_by == "rep.li" and not queue[0].overdue
    due = queue[0].due_at.timestamp() - note.held_at.timestamp()
    assert abs(due - 15 * DAY) < 1, due
    # Receipts cannot be back-dated: a raw edit claiming last month is refused.
    back = changed(note, expense=changed(
        note.expense, receipts_submitted_at=datetime.now(timezone.utc) - timedelta(days=30)))
    refused(li.store.update_reception_note(back), "reception.receipts_within_15_days")
    asyncio.run(li.store.submit_reception_receipts(rid))
    assert asyncio.run(li.store.receipts_queue("rep.li")) == []
    # The rep cannot reimburse herself; finance pays back the budget's worth.
    refused(li.store.reimburse_reception_expense(rid), "reimburse")
    synced(li, fin)
    note = asyncio.run(fin.store.reimburse_reception_expense(rid))
    assert note.expense.reimbursement.amount_fen == 40_000
    synced(fin, li)
    assert asyncio.run(li.store.get_reception_note(rid)).expense.reimbursement.by == "fin.wu"


def test_a_cancelled_reception_keeps_its_reason_and_stays_cancelled_seed_001(company):
    li = company.phone("rep.li")
    note = asyncio.run(li.store.create_reception_note(fb.ReceptionNote(
        category=fb.VisitorCategory.GENERAL(), status=fb.ReceptionStatus.PLANNED(),
        host="rep.li", purpose="接待 / a visit")))
    refused(li.store.cancel_reception(note.meta.id, " "), "reason")
    note = asyncio.run(li.store.cancel_reception(note.meta.id, "客户改期 / postponed"))
    assert note.status == fb.ReceptionStatus.CANCELLED()
    assert note.history[-1].note == "客户改期 / postponed"
    back = changed(note, status=fb.ReceptionStatus.PLANNED())
    refused(li.store.update_reception_note(back), "reception.status_final")
    synced(li)
