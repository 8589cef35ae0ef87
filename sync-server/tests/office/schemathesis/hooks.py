"""Schemathesis hooks for Fieldbook's back-office API (sync-server/tests/office/schemathesis.rs).

A record id is base58check of a 16-byte UUID (docs/protocol.md): a checksum no JSON Schema
pattern can say, so the OpenAPI document names the format `record-id` and this strategy draws
ids the test passes in (records that exist, and well-formed ids of none). Ids that do not parse
still come from schemathesis's negative phase, where the server must answer 400.
"""

import os

import schemathesis
from hypothesis import strategies as st

_IDS = [i for i in os.environ.get("FIELDBOOK_RECORD_IDS", "").split(",") if i]
if not _IDS:
    raise RuntimeError("FIELDBOOK_RECORD_IDS is empty: the test passes the ids to draw from")

schemathesis.openapi.format("record-id", st.sampled_from(_IDS))
