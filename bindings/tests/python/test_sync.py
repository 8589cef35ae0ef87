"""Rules, queries and sync through uniffi's Python bindings. Sync goes through the real
`fieldbook-sync-server` binary (path in FIELDBOOK_SYNC_SERVER, built by scripts/test-ffi.sh),
started here on 127.0.0.1 port 0 with tokens from its `add-device` subcommand, and killed at the
end. Waits are on conditions with generous bounds."""

import asyncio
import os
import queue
import subprocess
import threading
import time

import pytest

import fieldbook_ffi as fb
from test_fieldbook import Changes, booth_lead


class Statuses(fb.SyncStatusObserver):
    def __init__(self):
        self.seen = []
        self.queue = queue.Queue()

    def on_sync_status(self, status):
        self.seen.append(status)
        self.queue.put(status)

    def wait_for(self, what, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            status = self.queue.get(timeout=max(0.0, deadline - time.monotonic()))
            if what(status):
                return status


def wait_for_change(changes, what, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        change = changes.queue.get(timeout=max(0.0, deadline - time.monotonic()))
        if what(change):
            return change


@pytest.fixture
def server(tmp_path):
    binary = os.environ.get("FIELDBOOK_SYNC_SERVER", "")
    assert os.access(binary, os.X_OK), f"FIELDBOOK_SYNC_SERVER is not an executable: {binary!r}"
    db = str(tmp_path / "server.sqlite3")
    log = open(tmp_path / "server.log", "w")

    def add_device(user, device):
        # Tokens are issued only to users who exist: the user first (a field rep, no team).
        subprocess.run([binary, "--db", db, "add-user", "--user", user, "--name", user,
                        "--role", "field_rep"], check=True, capture_output=True, timeout=60)
        # The token is bound to the device: the server refuses changes written by another.
        out = subprocess.run([binary, "--db", db, "add-device", "--user", user, "--device", device],
                             check=True, capture_output=True, text=True, timeout=60).stdout
        return next(l.removeprefix("token ") for l in out.splitlines() if l.startswith("token "))

    devices = [fb.new_device_id(), fb.new_device_id()]
    tokens = [(d, add_device("rep.zhao", d)) for d in devices]
    proc = subprocess.Popen([binary, "--db", db, "--listen", "127.0.0.1:0"],
                            stdout=subprocess.PIPE, stderr=log, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l) for l in proc.stdout], daemon=True).start()
    try:
        first = lines.get(timeout=60)
        assert first.startswith("listening on ws://127.0.0.1:"), first
        yield first.removeprefix("listening on ").strip(), tokens, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_a_lead_captured_offline_reaches_a_second_device_through_the_server(tmp_path, server):
    url, ((phone_id, phone_token), (tablet_id, tablet_token)), proc = server
    phone = fb.FieldbookStore.open(str(tmp_path / "phone.sqlite3"), phone_id, "rep.zhao")
    tablet = fb.FieldbookStore.open(str(tmp_path / "tablet.sqlite3"), tablet_id, "rep.zhao")
    lead = asyncio.run(phone.create_lead(booth_lead("孙丽")))  # no sync running: no signal

    phone_sync = fb.SyncSession(phone, every_seconds=3600)
    phone_status = Statuses()
    h1 = phone_sync.observe_status(phone_status)
    assert phone_status.wait_for(lambda s: True).is_stopped()
    phone_sync.start(url, phone_token)
    phone_status.wait_for(lambda s: s.is_idle() and s.last_synced_at is not None)
    assert any(s.is_syncing() for s in phone_status.seen)

    tablet_changes = Changes()
    h2 = tablet.observe_records(tablet_changes)
    tablet_sync = fb.SyncSession(tablet, every_seconds=3600)
    tablet_sync.start(url, tablet_token)

    async def on_tablet():
        report = await tablet_sync.sync_now()
        assert report.records_refused == 0
        return await tablet.get_lead(lead.meta.id)

    copy = asyncio.run(on_tablet())
    assert (copy.prospect.name, copy.code) == ("孙丽", lead.code)
    change = wait_for_change(tablet_changes, lambda c: c.id == lead.meta.id)
    assert (change.origin, change.kind) == (fb.ChangeOrigin.SYNC, fb.RecordKind.LEAD_REFERRAL)

    async def merge():
        await phone.grade_lead(lead.meta.id, fb.LeadGrade.A())
        note = fb.FollowUpNote(channel=fb.FollowUpChannel.WE_CHAT(), said="发送资料", next_step="约见")
        await tablet.log_follow_up(lead.meta.id, note)
        for session in (phone_sync, tablet_sync, phone_sync):
            await session.sync_now()
        return [await s.get_lead(lead.meta.id) for s in (phone, tablet)]

    for merged in asyncio.run(merge()):
        assert merged.grade == fb.LeadGrade.A()
        assert [f.said for f in merged.follow_ups] == ["展位交流", "发送资料"]

    wrong = fb.SyncSession(phone)
    wrong.start(url, "not-a-token")
    with pytest.raises(fb.FieldbookError.AuthNeeded):
        asyncio.run(wrong.sync_now())
    wrong.stop()

    proc.terminate()
    proc.wait(timeout=15)
    with pytest.raises(fb.FieldbookError.Network):
        asyncio.run(phone_sync.sync_now())
    assert phone_sync.status().is_offline()
    for s in (phone_sync, tablet_sync):
        s.stop()
    assert phone_sync.status().is_stopped()
    h1.cancel()
    h2.cancel()


def test_rules_and_queries(tmp_path):
    store = fb.FieldbookStore.open(str(tmp_path / "a.sqlite3"), fb.new_device_id(), "rep.li")

    async def scenario():
        new = booth_lead("张伟")
        new.grade = fb.LeadGrade.H()
        new.follow_ups = []
        lead = await store.create_lead(new)
        assert lead.code.startswith("XS-")
        day = await store.my_day()
        assert lead.meta.id in [i.record_id for i in day.follow_ups]
        with pytest.raises(fb.FieldbookError.InvalidInput) as err:
            await store.log_follow_up(lead.meta.id, fb.FollowUpNote(
                channel=fb.FollowUpChannel.PHONE(), said="", next_step="再联系"))
        assert err.value.field == "said"
        hits = await store.search("zhangwei", 5)
        assert [h.id for h in hits] == [lead.meta.id]
        owner = await store.lead_ownership(lead.meta.id)
        assert owner.owns and owner.claims == 1

    asyncio.run(scenario())


def test_a_day_of_offline_leads_shows_progress_in_records_and_bytes_issue_16(tmp_path, server):
    """A booth tablet captured 250 leads without signal: the first round moves them in batches
    (the bulk path), and the status the app shows counts those records and the bytes moved."""
    url, ((booth_id, booth_token), _), proc = server
    booth = fb.FieldbookStore.open(str(tmp_path / "booth.sqlite3"), booth_id, "rep.zhao")

    async def capture():
        for i in range(250):
            await booth.create_lead(booth_lead(f"访客{i:03}"))

    asyncio.run(capture())
    session = fb.SyncSession(booth, every_seconds=3600)
    statuses = Statuses()
    handle = session.observe_status(statuses)
    session.start(url, booth_token)
    statuses.wait_for(lambda s: s.is_idle() and s.last_synced_at is not None, timeout=180)
    progress = [s for s in statuses.seen if s.is_syncing() and s.total > 0]
    assert progress, statuses.seen
    assert max(s.total for s in progress) == 250, progress
    assert progress[-1].done == 250 and progress[-1].bytes > 0, progress
    dones = [s.done for s in progress]
    assert dones == sorted(dones), "progress never goes back"
    assert all(s.eta_seconds is not None for s in progress if s.done > 0)
    session.stop()
    handle.cancel()
