"""A company on the real `fieldbook-sync-server` (path in FIELDBOOK_SYNC_SERVER): two teams,
their reps and supervisors and the back office, each person with a phone that opens its store
with the person's role, and a sync session to the server on 127.0.0.1 port 0. The rule tests
drive every lifecycle step through the FFI as a phone does and, for the forbidden ones, check
that the phone refuses it and that the server refuses the same change sent raw."""

import os
import queue
import subprocess
import threading

import pytest

import fieldbook_ffi as fb

PEOPLE = [
    ("rep.li", "field_rep", "east"),
    ("rep.wang", "field_rep", "west"),
    ("sup.zhao", "supervisor", "east"),
    ("sup.qian", "supervisor", "west"),
    ("mkt.sun", "marketing_manager", None),
    ("cs.zhou", "customer_service_manager", None),
    ("fin.wu", "finance_manager", None),
    ("admin.zheng", "admin", None),
]


class Phone:
    """One person's phone: a store opened with the person's role, and a sync session."""

    def __init__(self, company, name, role, device, token):
        self.name = name
        self.role = role
        self.store = fb.FieldbookStore.open(
            str(company.tmp / f"{name}.sqlite3"), device, name, role=role)
        self.session = fb.SyncSession(self.store, every_seconds=3600)
        self.session.start(company.url, token)

    async def sync(self):
        return await self.session.sync_now()


class Company:
    def __init__(self, tmp, binary):
        self.tmp = tmp
        self.binary = binary
        self.db = str(tmp / "server.sqlite3")
        self.phones = {}
        self.proc = None
        self.url = None

    def cli(self, *args):
        return subprocess.run([self.binary, "--db", self.db, *args], check=True,
                              capture_output=True, text=True, timeout=60).stdout

    def start(self):
        for team in ("east", "west"):
            self.cli("add-team", "--id", team, "--name", team)
        tokens = {}
        for name, role, team in PEOPLE:
            args = ["add-user", "--user", name, "--name", name, "--role", role]
            if team:
                args += ["--team", team]
            self.cli(*args)
            device = fb.new_device_id()
            out = self.cli("add-device", "--user", name, "--device", device)
            token = next(l.removeprefix("token ") for l in out.splitlines()
                         if l.startswith("token "))
            tokens[name] = (role, device, token)
        self.log = open(self.tmp / "server.log", "w")
        self.proc = subprocess.Popen([self.binary, "--db", self.db, "--listen", "127.0.0.1:0"],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        lines = queue.Queue()
        threading.Thread(target=lambda: [lines.put(l) for l in self.proc.stdout],
                         daemon=True).start()
        first = lines.get(timeout=60)
        assert first.startswith("listening on ws://127.0.0.1:"), first
        self.url = first.removeprefix("listening on ").strip()
        self.tokens = tokens
        for name, (role, device, token) in tokens.items():
            self.phones[name] = Phone(self, name, role, device, token)

    def phone(self, name):
        return self.phones[name]

    def token(self, name):
        return self.tokens[name][2]

    def stop(self):
        for p in self.phones.values():
            p.session.stop()
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.log.close()


@pytest.fixture
def company(tmp_path):
    binary = os.environ.get("FIELDBOOK_SYNC_SERVER", "")
    assert os.access(binary, os.X_OK), f"FIELDBOOK_SYNC_SERVER is not an executable: {binary!r}"
    c = Company(tmp_path, binary)
    c.start()
    try:
        yield c
    finally:
        c.stop()
