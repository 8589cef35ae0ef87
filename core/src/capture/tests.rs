//! The parser on real-world-looking payloads: what phones, badge printers and card apps write.
#![allow(clippy::unwrap_used)]

use super::*;

fn phones(f: &CardFields) -> Vec<(&str, PhoneKind)> {
    f.phones
        .iter()
        .map(|p| (p.number.as_str(), p.kind))
        .collect()
}

/// An Android contact export: vCard 2.1, UTF-8 in quoted-printable, a soft line break in ORG.
const ANDROID_21: &str = "BEGIN:VCARD\r\n\
VERSION:2.1\r\n\
N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0;=E4=BC=9F;;;\r\n\
FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0=E4=BC=9F\r\n\
ORG;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=8C=97=E4=BA=AC=E5=8D=8E=E7=A7=91=E6=9C=89=\r\n\
=E9=99=90=E5=85=AC=E5=8F=B8;=E9=94=80=E5=94=AE=E9=83=A8\r\n\
TITLE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E9=94=80=E5=94=AE=E6=80=BB=E7=9B=91\r\n\
TEL;WORK;VOICE:010-6552 9988\r\n\
TEL;CELL:138-0013-8000\r\n\
TEL;WORK;FAX:010-6552 9989\r\n\
EMAIL;PREF;INTERNET:zhang.wei@huake.cn\r\n\
END:VCARD\r\n";

#[test]
fn vcard_21_quoted_printable_utf8_with_a_soft_line_break() {
    let f = parse_card(ANDROID_21.as_bytes()).unwrap();
    assert_eq!(f.format, CaptureFormat::VCard21);
    assert_eq!(f.name, "张伟");
    assert_eq!(f.company, "北京华科有限公司");
    assert_eq!(f.department, "销售部");
    assert_eq!(f.title, "销售总监");
    assert_eq!(
        phones(&f),
        vec![
            ("+861065529988", PhoneKind::Work),
            ("+8613800138000", PhoneKind::Mobile)
        ],
        "the fax is left out"
    );
    assert_eq!(f.main_phone(), Some("+8613800138000"));
    assert_eq!(f.emails, vec!["zhang.wei@huake.cn"]);
    assert!(f.warnings.is_empty(), "{:?}", f.warnings);
}

#[test]
fn vcard_21_gbk_quoted_printable_and_gbk_without_a_charset() {
    let qp = "BEGIN:VCARD\nVERSION:2.1\n\
FN;CHARSET=GBK;ENCODING=QUOTED-PRINTABLE:=C0=EE=C4=C8\n\
ORG;ENCODING=QUOTED-PRINTABLE;CHARSET=GB2312:=B9=E3=D6=DD=B0=D7=D4=C6=B5=E7=C6=F7=D3=D0=CF=DE=B9=AB=CB=BE\n\
TITLE;CHARSET=GBK;QUOTED-PRINTABLE:=B2=C9=B9=BA=BE=AD=C0=ED\n\
TEL;CELL;PREF:+86 139 1234 5678\nEND:VCARD\n";
    let f = parse_card(qp.as_bytes()).unwrap();
    assert_eq!(
        (f.name.as_str(), f.company.as_str(), f.title.as_str()),
        ("李娜", "广州白云电器有限公司", "采购经理")
    );
    assert_eq!(f.main_phone(), Some("+8613912345678"));

    let mut raw = b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:".to_vec();
    raw.extend_from_slice(b"\xcd\xf5\xc7\xbf\r\nORG:");
    raw.extend_from_slice(b"\xba\xbc\xd6\xdd\xc4\xb3\xc4\xb3\xd3\xd0\xcf\xde\xb9\xab\xcb\xbe");
    raw.extend_from_slice(b"\r\nEND:VCARD\r\n");
    let f = parse_card(&raw).unwrap();
    assert_eq!(
        (f.name.as_str(), f.company.as_str()),
        ("王强", "杭州某某有限公司")
    );
}

#[test]
fn vcard_30_folded_lines_escapes_several_tel_types_and_n_without_fn() {
    let card = "BEGIN:VCARD\r\n\
VERSION:3.0\r\n\
N:Chen;Jing;;Ms.;\r\n\
ORG:Acme\\, Inc.;R&D\\; Testing;East\r\n\
TITLE:Senior Engineer\\, Sensors\r\n\
TEL;TYPE=WORK,VOICE:+86 21 5080 \r\n 1234\r\n\
TEL;TYPE=CELL:+86 186 2100 0001\r\n\
TEL;TYPE=HOME:+86 186 2100 0001\r\n\
EMAIL;TYPE=INTERNET,WORK:jing.chen@\r\n\tacme.example.com\r\n\
NOTE:met at booth 3\\nlikes demos\r\n\
END:VCARD\r\n";
    let f = parse_card(card.as_bytes()).unwrap();
    assert_eq!(f.format, CaptureFormat::VCard30);
    assert_eq!(
        f.name, "Jing Chen",
        "N gives \"given family\" when there is no FN"
    );
    assert_eq!(f.company, "Acme, Inc.");
    assert_eq!(f.department, "R&D; Testing / East");
    assert_eq!(f.title, "Senior Engineer, Sensors");
    assert_eq!(
        phones(&f),
        vec![
            ("+862150801234", PhoneKind::Work),
            ("+8618621000001", PhoneKind::Mobile)
        ],
        "folded number joined; the repeated number kept once"
    );
    assert_eq!(f.emails, vec!["jing.chen@acme.example.com"]);
}

#[test]
fn vcard_40_uris_quoted_params_and_fn_over_n() {
    let card = "BEGIN:VCARD\nVERSION:4.0\n\
FN:赵 敏\nN:赵;敏;;;\n\
ORG:上海星河软件有限公司\n\
item1.TEL;VALUE=uri;TYPE=\"cell,voice\":tel:+86-139-8765-4321\n\
TEL;VALUE=uri;TYPE=work:tel:+86-21-6888-0000;ext=102\n\
EMAIL;TYPE=work:mailto:zhao.min@xinghe.cn\nEND:VCARD";
    let f = parse_card(card.as_bytes()).unwrap();
    assert_eq!(f.format, CaptureFormat::VCard40);
    assert_eq!(f.name, "赵 敏", "FN as printed wins over N");
    assert_eq!(f.main_phone(), Some("+8613987654321"));
    assert_eq!(f.phones.len(), 2);
    assert_eq!(f.emails, vec!["zhao.min@xinghe.cn"]);
}

#[test]
fn mecard_with_chinese_name_and_escapes() {
    let f = parse_card(
        "MECARD:N:李,娜;TEL:13912345678;TEL:021-6888 0000;EMAIL:li.na@example.com;\
ORG:上海某某科技有限公司;TITLE:采购经理\\; 华东区;NOTE:booth 5;;"
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(f.format, CaptureFormat::MeCard);
    assert_eq!(f.name, "李娜");
    assert_eq!(f.company, "上海某某科技有限公司");
    assert_eq!(f.title, "采购经理; 华东区");
    assert_eq!(f.main_phone(), Some("+8613912345678"));
    assert_eq!(f.phones.len(), 2);
    assert_eq!(f.emails, vec!["li.na@example.com"]);
}

#[test]
fn a_plain_text_block_recognised_by_label_and_pattern() {
    let f = parse_card(
        "王芳 市场总监\n深圳前海智联科技有限公司\n手机：139 2233 4455\n电话：0755-8888 6666\n\
传真：0755-8888 6667\nwang.fang@zhilian.cn\n地址：深圳市南山区科技园路1号\n"
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(f.format, CaptureFormat::Text);
    assert_eq!(f.name, "王芳");
    assert_eq!(f.title, "市场总监");
    assert_eq!(f.company, "深圳前海智联科技有限公司");
    assert_eq!(
        f.phones
            .iter()
            .map(|p| p.number.as_str())
            .collect::<Vec<_>>(),
        vec!["+8613922334455", "+8675588886666"]
    );
    assert_eq!(f.emails, vec!["wang.fang@zhilian.cn"]);

    let f = parse_card(b"Amy Wang\nSales Manager\nNorthwind Ltd\nM: +86 138 0013 8000\n").unwrap();
    assert_eq!(
        (f.name.as_str(), f.title.as_str(), f.company.as_str()),
        ("Amy Wang", "Sales Manager", "Northwind Ltd")
    );
}

#[test]
fn bad_input_is_refused_in_chinese_and_english() {
    for payload in [
        &b""[..],
        b"  \r\n ",
        b"hello",
        b"BEGIN:VCARD\nEND:VCARD",
        b"\xff\xfe\x00",
    ] {
        let err = parse_card(payload).unwrap_err().to_string();
        assert!(
            err.contains("名片") || err.contains("二维码"),
            "{payload:?}: {err}"
        );
        assert!(err.contains(" / "), "bilingual: {err}");
    }
    let long = vec![b'a'; MAX_PAYLOAD_BYTES + 1];
    assert!(
        parse_card(&long)
            .unwrap_err()
            .to_string()
            .contains("too long")
    );
}

#[test]
fn unreadable_phones_and_emails_are_skipped_with_a_warning_that_does_not_echo_them() {
    let f = parse_card(
        b"BEGIN:VCARD\nVERSION:3.0\nFN:Li Lei\nTEL:12345\nEMAIL:li@@x\nTEL:13800138000\n\
END:VCARD\nBEGIN:VCARD\nFN:Other\nEND:VCARD\n",
    )
    .unwrap();
    assert_eq!(f.main_phone(), Some("+8613800138000"));
    assert!(f.emails.is_empty());
    assert_eq!(f.warnings.len(), 3, "{:?}", f.warnings);
    assert!(
        f.warnings
            .iter()
            .all(|w| !w.contains("12345") && !w.contains("li@@"))
    );
    assert!(f.warnings.iter().any(|w| w.contains("several cards")));
}
