//! Property tests: the parser never panics, whatever the bytes; and generated cards (Chinese and
//! Latin names, commas, semicolons and backslashes needing escapes, several phones and e-mails)
//! written by `writer.rs` in 2.1, 3.0 and 4.0 read back as written.
#![allow(clippy::unwrap_used)]

use proptest::collection::vec;
use proptest::prelude::*;

use super::writer::{TestCard, write};
use super::*;

/// Texts with what needs escaping: Chinese, Latin, `,` `;` `\` and inner spaces.
fn text() -> impl Strategy<Value = String> {
    "[张王李赵陈刘杨黄伟芳娜敏强磊科技华东a-zA-Z0-9,;\\\\&.-]{1,6}( [张王李赵a-zA-Z,;.]{1,6}){0,2}"
}

fn phone() -> impl Strategy<Value = (String, bool)> {
    prop_oneof![
        ("13[5-9]|15[0-3]|18[6-9]", "[0-9]{8}").prop_map(|(p, n)| (format!("{p}{n}"), true)),
        // Shanghai numbers start 2–7 (an 8 is no Shanghai number: the parser rightly drops it).
        "[2-7][0-9]{7}".prop_map(|n| (format!("021-{n}"), false)),
    ]
}

fn email() -> impl Strategy<Value = String> {
    (
        "[a-z]{1,8}(\\.[a-z]{1,5})?",
        "[a-z]{2,8}",
        "cn|com|com\\.cn",
    )
        .prop_map(|(u, d, t)| format!("{u}@{d}.{t}"))
}

fn card() -> impl Strategy<Value = TestCard> {
    (
        text(),
        text(),
        vec(text(), 0..3),
        text(),
        vec(phone(), 0..4),
        vec(email(), 0..3),
    )
        .prop_map(|(name, company, units, title, phones, emails)| TestCard {
            name,
            company,
            units,
            title,
            phones,
            emails,
        })
}

fn format() -> impl Strategy<Value = CaptureFormat> {
    prop_oneof![
        Just(CaptureFormat::VCard21),
        Just(CaptureFormat::VCard30),
        Just(CaptureFormat::VCard40)
    ]
}

/// What the card should read back as: phones in E.164 once each, e-mails once each.
fn expected_phones(card: &TestCard) -> Vec<(String, PhoneKind)> {
    let mut out: Vec<(String, PhoneKind)> = Vec::new();
    for (n, mobile) in &card.phones {
        let e164 = format!("+86{}", n.replace('-', "").trim_start_matches('0'));
        let kind = if *mobile {
            PhoneKind::Mobile
        } else {
            PhoneKind::Work
        };
        if !out.iter().any(|(x, _)| *x == e164) {
            out.push((e164, kind));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, rng_seed: proptest::test_runner::RngSeed::Fixed(20261204), ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_any_bytes(bytes in vec(any::<u8>(), 0..700)) {
        let _ = parse_card(&bytes);
    }

    #[test]
    fn never_panics_on_card_shaped_junk(
        head in prop_oneof![Just("BEGIN:VCARD\r\n"), Just("MECARD:"), Just("")],
        body in "((N|FN|ORG|TEL|EMAIL|TITLE|VERSION|BEGIN|END|item1\\.TEL)(;(CHARSET=(GBK|UTF-8|x)|ENCODING=QUOTED-PRINTABLE|TYPE=\"cell,|CELL|=))*:[^\\x00]{0,12}(=|\\\\)?(\r\n|\n|\r\n |\n\t)?){0,12}",
    ) {
        let _ = parse_card(format!("{head}{body}").as_bytes());
    }

    #[test]
    fn generated_cards_round_trip(card in card(), format in format()) {
        let written = write(&card, &format);
        let f = parse_card(written.as_bytes()).unwrap();
        prop_assert_eq!(&f.format, &format);
        prop_assert_eq!(&f.name, &squash(&card.name));
        prop_assert_eq!(&f.company, &squash(&card.company));
        let units: Vec<String> = card.units.iter().map(|u| squash(u)).collect();
        prop_assert_eq!(&f.department, &units.join(" / "));
        prop_assert_eq!(&f.title, &squash(&card.title));
        let got: Vec<(String, PhoneKind)> =
            f.phones.iter().map(|p| (p.number.clone(), p.kind)).collect();
        prop_assert_eq!(got, expected_phones(&card));
        let mut unique: Vec<String> = Vec::new();
        for e in card.emails.clone() {
            if !unique.iter().any(|u| u.eq_ignore_ascii_case(&e)) {
                unique.push(e);
            }
        }
        prop_assert_eq!(&f.emails, &unique);
        prop_assert!(f.warnings.is_empty(), "{:?}", f.warnings);
    }
}
