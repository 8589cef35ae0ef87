"""Issue 17, return-visit reports and proposals (seed 001 §4, §5, §7; seed 002), through the FFI
on each person's phone against the real server: the legal steps pass and sync; the forbidden
ones are refused on the phone with the rule named, bilingual. The same changes sent raw to the
server (the phone's judge bypassed) are refused there with nothing stored in
`sync-server/tests/attacks/lifecycle/return_visit.rs`."""

import asyncio
import datetime as dt

import pytest

import fieldbook_ffi as fb

def run(coro):
    return asyncio.run(coro)


def today():
    d = dt.date.today()
    return fb.CalendarDate(year=d.year, month=d.month, day=d.day)


def refused(rule, call):
    """The phone refuses: the error names `rule` and is Chinese first, then English."""
    with pytest.raises(fb.FieldbookError.InvalidInput) as err:
        run(call)
    text = str(err.value)
    assert rule in text, text
    assert " / " in text, text
    return text


async def filed_report(company, department=None):
    """rep.li's report of today's visit, with a ¥120 expense and a proposal, filed and synced to
    her supervisor and the back office."""
    li = company.phone("rep.li")
    report = await li.store.create_return_visit_report(fb.ReturnVisitReport(
        rep="rep.li", visited_on=today(), purpose="季度回访", needs="增加两台收银机",
        satisfaction=fb.Satisfaction(product=5, service=3, environment=4),
        expense=fb.VisitExpense(amount_fen=12_000, description="交通 / taxi"),
        materials=[fb.CarriedMaterial(item="产品手册")]))
    report = await li.store.add_proposal(report.meta.id, "希望改为月结", False,
                                         fb.ProposalChannel.PHONE(), department or fb.Department.FINANCE())
    report = await li.store.file_report(report.meta.id)
    assert (await li.sync()).records_refused == 0
    for name in ("sup.zhao", "cs.zhou", "fin.wu", "mkt.sun"):
        await company.phone(name).sync()
    return report


def test_filing_is_now_never_back_dated_and_the_next_day_counts_seed_001_s7(company):
    li = company.phone("rep.li")

    draft = run(li.store.create_return_visit_report(fb.ReturnVisitReport(
        rep="rep.li", visited_on=today(), purpose="回访")))
    # Filed "yesterday", after the fact, to look on time: refused (and so is tomorrow).
    back = run(li.store.get_return_visit_report(draft.meta.id))
    back.filed_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
    refused("return_visit.filed_at_claimed", li.store.update_return_visit_report(back))
    assert run(li.store.get_return_visit_report(draft.meta.id)).filed_at is None
    filed = run(li.store.file_report(draft.meta.id))
    assert filed.filed_at is not None
    filed.filed_at = filed.filed_at - dt.timedelta(hours=3)
    refused("return_visit.filed_once", li.store.update_return_visit_report(filed))


def test_only_the_rep_s_supervisor_reviews_and_signs_seed_001_s7(company):
    report = run(filed_report(company))
    li, zhao = company.phone("rep.li"), company.phone("sup.zhao")
    rid = report.meta.id
    # The rep cannot review or sign her own report, neither by the step nor by a raw edit.
    with pytest.raises(fb.FieldbookError.InvalidInput):
        run(li.store.review_report(rid, "很好"))
    own = run(li.store.get_return_visit_report(rid))
    own.review = fb.Review(by="rep.li", at=dt.datetime.now(dt.timezone.utc), guidance="很好")
    refused("return_visit.review_by_supervisor", li.store.update_return_visit_report(own))
    own = run(li.store.get_return_visit_report(rid))
    own.expense.signed_by = "rep.li"
    own.expense.signed_at = dt.datetime.now(dt.timezone.utc)
    refused("return_visit.expense_signed_by_supervisor", li.store.update_return_visit_report(own))
    # The other team's supervisor never holds it; the finance manager may not review.
    wu = company.phone("fin.wu")
    other = run(wu.store.get_return_visit_report(rid))
    other.review = fb.Review(by="fin.wu", at=dt.datetime.now(dt.timezone.utc), guidance="好")
    refused("return_visit.review_by_supervisor", wu.store.update_return_visit_report(other))
    # Her supervisor reviews with guidance and signs; it syncs back to her.
    with pytest.raises(fb.FieldbookError.InvalidInput):
        run(zhao.store.review_report(rid, " "))
    run(zhao.store.review_report(rid, "下次带上样品"))
    run(zhao.store.sign_report_expense(rid))
    assert run(zhao.sync()).records_refused == 0
    run(li.sync())
    back = run(li.store.get_return_visit_report(rid))
    assert back.review.by == "sup.zhao" and back.expense.signed_by == "sup.zhao"
    # While the review stands, what was reviewed is frozen.
    back.needs = "改写"
    refused("return_visit.review_freezes_report", li.store.update_return_visit_report(back))


def test_only_the_routed_manager_answers_a_proposal_seed_001_s4(company):
    report = run(filed_report(company, fb.Department.FINANCE()))
    rid, pid = report.meta.id, report.proposals[0].id
    assert report.proposals[0].channel == fb.ProposalChannel.PHONE()
    assert report.proposals[0].routed_by == "rep.li"
    for name in ("cs.zhou", "sup.zhao", "rep.li"):
        refused("return_visit.proposal_answered_by_routed_manager",
                company.phone(name).store.answer_proposal(
                    rid, pid, fb.ProposalOutcome.ACCEPTED(), "同意"))
    # The finance manager extends (with the VP's approval) and answers.
    wu = company.phone("fin.wu")
    refused("return_visit.proposal_extension",
            company.phone("rep.li").store.extend_proposal(rid, pid, "副总裁批准"))
    run(wu.store.extend_proposal(rid, pid, "副总裁 王 批准 / approved by VP Wang"))
    done = run(wu.store.answer_proposal(rid, pid, fb.ProposalOutcome.ACCEPTED(), "同意月结"))
    assert done.proposals[0].answered_by == "fin.wu"
    assert run(wu.sync()).records_refused == 0
    li = company.phone("rep.li")
    for _ in range(30):  # the answer reaches her phone within a generous bound
        run(li.sync())
        mine = run(li.store.get_return_visit_report(rid))
        if mine.proposals[0].outcome == fb.ProposalOutcome.ACCEPTED():
            break
    assert mine.proposals[0].outcome == fb.ProposalOutcome.ACCEPTED()
    # Answers are final; proposals are never removed.
    mine.proposals[0].answer = "不同意"
    refused("return_visit.proposal_answer_final", li.store.update_return_visit_report(mine))
    mine = run(li.store.get_return_visit_report(rid))
    mine.proposals = []
    refused("return_visit.proposals_append_only", li.store.update_return_visit_report(mine))


def test_materials_go_back_after_filing_and_satisfaction_is_measured_seed_001_s5_s7(company):
    report = run(filed_report(company))
    li = company.phone("rep.li")
    mid = report.materials[0].id
    assert report.filed_at is not None and report.materials[0].returned_at is None
    back = run(li.store.return_material(report.meta.id, mid, ""))
    assert back.materials[0].returned_at is not None
    back.materials = []
    refused("return_visit.materials_recorded", li.store.update_return_visit_report(back))
    m = run(li.store.satisfaction_metrics(dt.date.today().year))
    assert m.this_year.surveys == 1
    assert (m.this_year.product, m.this_year.service, m.this_year.environment) == (5.0, 3.0, 4.0)
    assert m.this_year.lowest_item == fb.SatisfactionItem.SERVICE
    assert m.last_year.surveys == 0 and m.service_change is None
