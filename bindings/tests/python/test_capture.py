"""Issue 18 §2, trade-show capture through the FFI: a scanned QR payload (vCard 2.1/3.0/4.0,
MECARD, a text block) read into a preview — the card's fields, the duplicates on the phone and
who owns the prospect — offline, then saved as a lead through the normal registration."""

import asyncio

import pytest

import fieldbook_ffi as fb

SHOW = "2026 上海工博会"

# An Android export: vCard 2.1, quoted-printable UTF-8 with a soft line break, several phones.
ANDROID_21 = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0;=E4=BC=9F;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0=E4=BC=9F\r\n"
    "ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=8C=97=E4=BA=AC=E5=8D=8E=E7=A7=91=E6=9C=89=\r\n"
    "=E9=99=90=E5=85=AC=E5=8F=B8;=E9=94=80=E5=94=AE=E9=83=A8\r\n"
    "TITLE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E9=94=80=E5=94=AE=E6=80=BB=E7=9B=91\r\n"
    "TEL;WORK;VOICE:010-6552 9988\r\nTEL;CELL:138-0013-8000\r\nTEL;WORK;FAX:010-6552 9989\r\n"
    "EMAIL;PREF;INTERNET:zhang.wei@huake.cn\r\nEND:VCARD\r\n"
).encode()

# A Chinese card printer's vCard 2.1 in GBK: one line quoted-printable, one raw GBK bytes.
GBK_21 = (
    b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=GBK;ENCODING=QUOTED-PRINTABLE:=C0=EE=C4=C8\r\n"
    b"ORG:" + "广州白云电器有限公司".encode("gbk") + b"\r\n"
    b"TITLE;CHARSET=GBK:" + "采购经理".encode("gbk") + b"\r\n"
    b"TEL;CELL:+86 139 1234 5678\r\nEND:VCARD\r\n"
)

# vCard 3.0 with a folded line and escapes, no FN.
FOLDED_30 = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Chen;Jing;;;\r\nORG:Acme\\, Inc.;R&D\r\n"
    "TEL;TYPE=CELL:+86 186 2100\r\n 0001\r\nEMAIL:jing.chen@acme.example.com\r\nEND:VCARD\r\n"
).encode()


def run(coro):
    return asyncio.run(coro)


@pytest.fixture
def phones(tmp_path):
    li = fb.FieldbookStore.open(str(tmp_path / "li.sqlite3"), fb.new_device_id(), "rep.li")
    wang = fb.FieldbookStore.open(str(tmp_path / "wang.sqlite3"), fb.new_device_id(), "rep.wang")
    return li, wang


def details():
    return fb.CaptureDetails(event=SHOW)


def test_a_vcard_21_quoted_printable_card_with_several_phones(phones):
    li, _ = phones
    preview = run(li.parse_card(ANDROID_21))
    f = preview.fields
    assert f.format == fb.CaptureFormat.V_CARD21()
    assert (f.name, f.company, f.department, f.title) == ("张伟", "北京华科有限公司", "销售部", "销售总监")
    assert [(p.number, p.kind) for p in f.phones] == [
        ("+861065529988", fb.PhoneKind.WORK), ("+8613800138000", fb.PhoneKind.MOBILE)]
    assert f.emails == ["zhang.wei@huake.cn"]
    assert preview.duplicates == []
    assert preview.ownership.would_own and preview.ownership.registrations == 0


def test_gbk_and_folded_cards(phones):
    li, _ = phones
    f = run(li.parse_card(GBK_21)).fields
    assert (f.name, f.company, f.title) == ("李娜", "广州白云电器有限公司", "采购经理")
    assert [p.number for p in f.phones] == ["+8613912345678"]
    f = run(li.parse_card(FOLDED_30)).fields
    assert (f.name, f.company, f.department) == ("Jing Chen", "Acme, Inc.", "R&D")
    assert [p.number for p in f.phones] == ["+8618621000001"]


def test_mecard_and_a_text_block(phones):
    li, _ = phones
    f = run(li.parse_card("MECARD:N:王,强;TEL:13700137000;ORG:杭州某某有限公司;;".encode())).fields
    assert (f.format, f.name, f.company) == (fb.CaptureFormat.ME_CARD(), "王强", "杭州某某有限公司")
    text = "王芳 市场总监\n深圳前海智联科技有限公司\n手机：139 2233 4455\nwang.fang@zhilian.cn\n"
    f = run(li.parse_card(text.encode())).fields
    assert (f.name, f.title, f.emails) == ("王芳", "市场总监", ["wang.fang@zhilian.cn"])


def test_saving_registers_a_trade_show_lead_with_the_cards_extras(phones):
    li, _ = phones
    preview = run(li.parse_card(ANDROID_21))
    lead = run(li.save_card(preview.fields, details()))
    assert lead.code.startswith("XS-")
    assert lead.source == fb.LeadSource.TRADE_SHOW() and lead.event == SHOW
    assert (lead.prospect.name, lead.prospect.phone) == ("张伟", "+8613800138000")
    assert lead.capture.format == fb.CaptureFormat.V_CARD21()
    assert lead.capture.title == "销售总监"
    assert lead.capture.phones == ["+8613800138000", "+861065529988"]
    assert run(li.get_lead(lead.meta.id)) == lead

    again = run(li.parse_card(ANDROID_21))
    assert [(d.lead_id, d.certainty) for d in again.duplicates] == [
        (lead.meta.id, fb.DuplicateCertainty.CERTAIN)]
    assert "phone" in again.duplicates[0].matched_on
    assert not again.ownership.would_own
    assert "您已报备" in again.ownership.explanation


def test_another_reps_registration_on_the_phone_owns_the_prospect(phones):
    li, wang = phones
    theirs = run(wang.save_card(run(wang.parse_card(ANDROID_21)).fields, details()))
    changes = run(wang.export_changes(theirs.meta.id))
    assert run(li.import_changes(theirs.meta.id, changes))
    own = run(li.parse_card(ANDROID_21)).ownership
    assert not own.would_own
    assert (own.owner, own.owner_code) == ("rep.wang", theirs.code)
    assert "rep.wang" in own.explanation and "先行报备" in own.explanation


def test_a_corrected_card_is_checked_again_and_bad_payloads_are_refused(phones):
    li, _ = phones
    f = run(li.parse_card(FOLDED_30)).fields
    f.phones[0].number = "12"
    with pytest.raises(fb.FieldbookError.InvalidInput) as err:
        run(li.save_card(f, details()))
    assert "电话号码无效" in str(err.value) and "not a valid phone number" in str(err.value)
    for payload in [b"", b"hello", b"BEGIN:VCARD\r\nEND:VCARD\r\n", b"\xff" * 5000]:
        with pytest.raises(fb.FieldbookError.InvalidInput) as err:
            run(li.parse_card(payload))
        assert err.value.field == "card"
        assert " / " in str(err.value)
    assert run(li.list_records(fb.RecordKind.LEAD_REFERRAL)) == []
