"""Issue 17 for visit plans, events and invitation targets (seeds 000, 001 §7, 002 篇6), driven
through the FFI as phones do, against the real server of the `company` fixture. Each forbidden
step is refused on the phone with the rule named, bilingually; where a phone's own judge can be
left out (a store opened without a role), the same change is refused by the server and nothing
is stored. The server's refusals of raw state-machine edits are in
sync-server/tests/attacks/lifecycle/visit_plan.rs."""

import asyncio
import datetime as dt
import time

import pytest

import fieldbook_ffi as fb

def run(coro):
    return asyncio.run(coro)


def now():
    return dt.datetime.now(dt.timezone.utc)


def refused(rule, err):
    text = str(err.value)
    assert rule in text, text
    assert " / " in text, f"bilingual: {text}"


def plan(rep, at, event=None):
    return fb.VisitPlan(
        meta=fb.RecordMeta(), rep=rep, purpose="新品介绍", place="客户工厂",
        scheduled_at=at, status=fb.VisitStatus.PLANNED(), event=event,
        customer_id=None)


async def customer_id(phone):
    c = await phone.store.create_customer(fb.Customer(
        meta=fb.RecordMeta(), name="王芳", grade=fb.CustomerGrade.B(),
        visitor_category=fb.VisitorCategory.GENERAL()))
    return c.meta.id


def test_a_visit_goes_through_its_steps_and_forbidden_ones_are_refused_seed_000_002(company):
    li = company.phone("rep.li")

    async def scenario():
        cid = await customer_id(li)
        # seed 001 §7: a plan names the customer, purpose, time and place.
        with pytest.raises(fb.FieldbookError.InvalidInput):
            await li.store.plan_visit(plan("rep.li", now() + dt.timedelta(hours=1)))
        p = plan("rep.li", now() + dt.timedelta(hours=1))
        p.customer_id = cid
        p = await li.store.plan_visit(p)
        p = await li.store.send_invitation(p.meta.id, fb.InvitationMethod.PHONE())
        # seed 002 篇6: the "1 hour before" call, within the 2 hours before the appointment.
        p = await li.store.confirm_appointment(p.meta.id, fb.ConfirmationKind.ONE_HOUR())
        assert len(p.confirmations) == 1
        # seed 002 篇6 改约: a new time after the invitation needs the customer's consent. The
        # customer comes early (5 minutes ago): the attendance below is then on the appointment's
        # day whatever the time of day this runs (a later time crossed midnight in Shanghai
        # when run after 22:30 there).
        moved = now() - dt.timedelta(minutes=5)
        with pytest.raises(fb.FieldbookError.InvalidInput) as err:
            await li.store.update_visit_plan(_with(p, scheduled_at=moved))
        refused("visit_plan.reschedule_needs_consent", err)
        p = await li.store.reschedule_visit(p.meta.id, moved, "王经理，电话", now(), "客户开会")
        assert p.scheduled_at == moved and p.reschedules[0].consent_by == "王经理，电话"
        # seed 000: an accepted invitation records the number of attendees.
        with pytest.raises(fb.FieldbookError.InvalidInput) as err:
            await li.store.update_visit_plan(_with(p, status=fb.VisitStatus.ACCEPTED()))
        refused("visit_plan.transition", err)
        p = await li.store.accept_invitation(p.meta.id, 2)
        # An amount before the visit took place is refused; after it, kept (seed 000 销售业绩).
        with pytest.raises(fb.FieldbookError.InvalidInput):
            await li.store.record_visit_outcome(p.meta.id, 880_000)
        with pytest.raises(fb.FieldbookError.InvalidInput) as err:
            await li.store.update_visit_plan(_with(p, outcome_amount_fen=880_000))
        refused("visit_plan.amount_after_attendance", err)
        p = await li.store.record_attendance(p.meta.id, True)
        p = await li.store.record_visit_outcome(p.meta.id, 880_000)
        assert p.status == fb.VisitStatus.ATTENDED() and p.outcome_amount_fen == 880_000
        # The answer, once recorded, never changes (no back-dating).
        with pytest.raises(fb.FieldbookError.InvalidInput) as err:
            await li.store.update_visit_plan(
                _with(p, responded_at=now() - dt.timedelta(days=30)))
        refused("visit_plan.step_fields", err)
        report = await li.sync()
        assert report.records_refused == 0
        # The supervisor sees the rates and the order amount once synced.
        zhao = company.phone("sup.zhao")
        await zhao.sync()
        m = await zhao.store.invitation_metrics(
            now() - dt.timedelta(days=1), now() + dt.timedelta(days=1), "rep.li")
        assert (m.invited, m.accepted, m.attended, m.orders, m.amount_fen) == (1, 1, 1, 1, 880_000)

    run(scenario())


def test_a_cancelled_visit_keeps_its_reason_and_a_declined_one_its_reason_seed_000(company):
    li = company.phone("rep.li")

    async def scenario():
        cid = await customer_id(li)
        p = plan("rep.li", now() + dt.timedelta(days=3))
        p.customer_id = cid
        a = await li.store.plan_visit(p)
        a = await li.store.send_invitation(a.meta.id, fb.InvitationMethod.SMS())
        with pytest.raises(fb.FieldbookError.InvalidInput):
            await li.store.decline_invitation(a.meta.id, " ")
        with pytest.raises(fb.FieldbookError.InvalidInput) as err:
            await li.store.update_visit_plan(_with(a, status=fb.VisitStatus.DECLINED()))
        refused("visit_plan.transition", err)
        a = await li.store.decline_invitation(a.meta.id, "预算冻结")
        b = await li.store.plan_visit(p)
        with pytest.raises(fb.FieldbookError.InvalidInput):
            await li.store.cancel_visit(b.meta.id, "")
        b = await li.store.cancel_visit(b.meta.id, "客户搬迁")
        assert b.history[-1].note == "客户搬迁"
        with pytest.raises(fb.FieldbookError.InvalidInput):
            await li.store.send_invitation(b.meta.id, fb.InvitationMethod.PHONE())
        assert (await li.sync()).records_refused == 0

    run(scenario())


def test_an_event_invites_each_customer_through_their_own_steps_seed_000(company):
    li = company.phone("rep.li")

    async def scenario():
        cid = await customer_id(li)
        start = now() + dt.timedelta(seconds=4)
        seminar = fb.Event(kind=fb.EventKind.SEMINAR(), title="新品发布研讨会", invitees=[])
        e = await li.store.plan_visit(plan("rep.li", start, event=seminar))
        e = await li.store.invite_to_event(e.meta.id, cid, "王经理", fb.InvitationMethod.PHONE())
        e = await li.store.invite_to_event(e.meta.id, None, "赵总", fb.InvitationMethod.EMAIL())
        yes, no = (i.id for i in e.event.invitees)
        e = await li.store.accept_event_invitation(e.meta.id, yes, 2)
        e = await li.store.decline_event_invitation(e.meta.id, no, "出差")
        # Before the event: re-confirm the accepted guest and send the guide (再次确认, 参会指南).
        e = await li.store.reconfirm_event_invitee(e.meta.id, yes)
        e = await li.store.send_event_guide(e.meta.id, yes)
        # The event itself is not "invited": answers are the guests'.
        with pytest.raises(fb.FieldbookError.InvalidInput) as err:
            await li.store.update_visit_plan(_with(
                e, status=fb.VisitStatus.INVITED(), invitation_method=fb.InvitationMethod.SMS(),
                invited_at=now()))
        refused("visit_plan.transition", err)
        e = await li.store.get_visit_plan(e.meta.id)
        # A follow-up for a guest who has not come, written raw.
        guest = e.event.invitees[0]
        guest.follow_up = fb.EventFollowUp(at=now(), by="rep.li", note="有意向")
        with pytest.raises(fb.FieldbookError.InvalidInput) as err:
            await li.store.update_visit_plan(e)
        refused("visit_plan.invitee_follow_up_after_event", err)
        e = await li.store.get_visit_plan(e.meta.id)
        # Wait (bounded) until the event has started, then record who came and follow up.
        deadline = time.monotonic() + 30
        while now() <= start and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        e = await li.store.record_event_attendance(e.meta.id, yes, True)
        e = await li.store.follow_up_event_invitee(e.meta.id, yes, "想要报价", 1_200_000)
        with pytest.raises(fb.FieldbookError.InvalidInput):
            await li.store.record_event_attendance(e.meta.id, no, True)
        assert (await li.sync()).records_refused == 0
        m = await li.store.invitation_metrics(
            now() - dt.timedelta(days=1), now() + dt.timedelta(days=1), "rep.li")
        assert (m.invited, m.responded, m.accepted, m.attended) == (2, 2, 1, 1)
        assert (m.orders, m.amount_fen) == (1, 1_200_000)

    run(scenario())


def test_invitation_targets_are_set_by_the_supervisor_and_compared_seed_000(company):
    li, zhao = company.phone("rep.li"), company.phone("sup.zhao")
    today = now().astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    month = fb.CalendarDate(year=today.year, month=today.month, day=1)

    async def scenario():
        # A rep cannot set her own target, on her phone…
        with pytest.raises(fb.FieldbookError.InvalidInput) as err:
            await li.store.set_invitation_target("rep.li", month, 5, 2)
        refused("visit_plan.target_set_by_supervisor", err)
        # …nor raw, from a store that leaves the role checks to the server.
        device = fb.new_device_id()
        out = company.cli("add-device", "--user", "rep.li", "--device", device)
        token = next(l.removeprefix("token ") for l in out.splitlines()
                     if l.startswith("token "))
        raw = fb.FieldbookStore.open(str(company.tmp / "rep.li-raw.sqlite3"), device, "rep.li")
        await raw.set_invitation_target("rep.wang", month, 1, 0)
        session = fb.SyncSession(raw, every_seconds=3600)
        session.start(company.url, token)
        try:
            # The first round may already run on start; the server refuses in either round.
            await session.sync_now()
        finally:
            session.stop()
        # Nothing stored: rep.li's supervisor, who receives every plan of hers, sees no target.
        await zhao.sync()
        assert await zhao.store.invitation_targets(month) == []
        # The supervisor sets rep.li's target; rep.li invites a customer.
        await zhao.store.set_invitation_target("rep.li", month, 3, 1)
        cid = await customer_id(li)
        p = plan("rep.li", now() + dt.timedelta(days=2))
        p.customer_id = cid
        p = await li.store.plan_visit(p)
        await li.store.send_invitation(p.meta.id, fb.InvitationMethod.PHONE())
        assert (await li.sync()).records_refused == 0
        assert (await zhao.sync()).records_refused == 0
        progress = await zhao.store.invitation_targets(month)
        assert [(t.rep, t.target_invitations, t.invited, t.accepted, t.met)
                for t in progress] == [("rep.li", 3, 1, 0, False)]

    run(scenario())


def _with(record, **changes):
    for k, v in changes.items():
        setattr(record, k, v)
    return record
