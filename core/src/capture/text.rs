//! A plain text block, as some badges and WeChat cards encode: one item a line, recognised by
//! label (`姓名：` `公司:` `Tel:` `E-mail:` …) or else by pattern:
//! - an e-mail: a word with `@` that is a valid address;
//! - a phone: a run of digits, spaces, `+ - ( )` with 7 or more digits (after `传真`/`Fax`:
//!   left out);
//! - a company: a line with a legal form or an organisation word (有限公司, 集团, 研究院,
//!   Co., Ltd, Inc, GmbH …);
//! - a title: a line with a job word (经理, 总监, 工程师, Manager, Director, CEO …); a line
//!   "张伟 销售总监" gives both the name and the title;
//! - the name: the first other line of 2–4 Chinese characters, else the first other short line
//!   without digits. Addresses and web sites (地址, 路, 号, www., http) are skipped.

use super::vcard::has_han;
use super::{PhoneKind, RawCard};
use crate::input::validate_email;
use crate::model::CaptureFormat;

const COMPANY_WORDS: &[&str] = &[
    "公司",
    "集团",
    "研究院",
    "研究所",
    "大学",
    "学院",
    "医院",
    "事务所",
    "银行",
    "工厂",
    "厂",
    "co.",
    "co.,",
    "ltd",
    "inc",
    "corp",
    "llc",
    "gmbh",
    "limited",
    "company",
    "group",
];
const TITLE_WORDS: &[&str] = &[
    "经理",
    "总监",
    "总裁",
    "总经理",
    "主任",
    "主管",
    "工程师",
    "董事",
    "顾问",
    "代表",
    "专员",
    "助理",
    "经理人",
    "院长",
    "处长",
    "科长",
    "部长",
    "ceo",
    "cto",
    "cfo",
    "coo",
    "vp",
    "manager",
    "director",
    "engineer",
    "president",
    "sales",
    "officer",
    "head of",
    "consultant",
    "representative",
];
const SKIP_WORDS: &[&str] = &[
    "地址", "address", "add:", "www.", "http", "网址", "微信", "wechat", "qq", "邮编",
];

/// What a labelled line is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Label {
    Name,
    Company,
    Title,
    Phone,
    Fax,
    Email,
    Skip,
}

const LABELS: &[(&str, Label)] = &[
    ("姓名", Label::Name),
    ("name", Label::Name),
    ("公司", Label::Company),
    ("单位", Label::Company),
    ("company", Label::Company),
    ("org", Label::Company),
    ("职位", Label::Title),
    ("职务", Label::Title),
    ("title", Label::Title),
    ("手机", Label::Phone),
    ("电话", Label::Phone),
    ("座机", Label::Phone),
    ("mobile", Label::Phone),
    ("tel", Label::Phone),
    ("phone", Label::Phone),
    ("cell", Label::Phone),
    ("m", Label::Phone),
    ("t", Label::Phone),
    ("传真", Label::Fax),
    ("fax", Label::Fax),
    ("f", Label::Fax),
    ("邮箱", Label::Email),
    ("电子邮件", Label::Email),
    ("e-mail", Label::Email),
    ("email", Label::Email),
    ("mail", Label::Email),
    ("e", Label::Email),
    ("地址", Label::Skip),
    ("address", Label::Skip),
    ("网址", Label::Skip),
    ("web", Label::Skip),
];

/// Reads a text block.
pub(super) fn parse(text: &str) -> RawCard {
    let mut card = RawCard {
        format: CaptureFormat::Text,
        ..RawCard::default()
    };
    let mut loose = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match labelled(line) {
            Some((label, value)) => take(&mut card, label, value),
            None => loose.push(line),
        }
    }
    for line in loose {
        guess(&mut card, line);
    }
    card
}

/// `label: value` (either colon, full-width or not) for a known label.
fn labelled(line: &str) -> Option<(Label, &str)> {
    let (head, value) = line.split_once([':', '：'])?;
    let head = head.trim().to_lowercase();
    LABELS
        .iter()
        .find(|(l, _)| *l == head)
        .map(|(_, label)| (*label, value.trim()))
}

fn take(card: &mut RawCard, label: Label, value: &str) {
    let slot = match label {
        Label::Name => &mut card.name,
        Label::Company => &mut card.company,
        Label::Title => &mut card.title,
        Label::Phone | Label::Fax => {
            let kind = (label == Label::Phone).then_some(PhoneKind::Other);
            for number in phone_runs(value) {
                card.phones.push((number, kind));
            }
            return;
        }
        Label::Email => {
            card.emails.push(value.to_owned());
            return;
        }
        Label::Skip => return,
    };
    if slot.is_empty() {
        *slot = value.to_owned();
    }
}

/// Classifies an unlabelled line by its pattern.
fn guess(card: &mut RawCard, line: &str) {
    let lower = line.to_lowercase();
    if SKIP_WORDS.iter().any(|w| lower.contains(w)) {
        return;
    }
    let emails: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || c == '，' || c == ',')
        .filter(|w| w.contains('@') && validate_email("email", w).is_ok())
        .collect();
    if !emails.is_empty() {
        card.emails.extend(emails.iter().map(|e| (*e).to_owned()));
        return;
    }
    let phones = phone_runs(line);
    if !phones.is_empty() {
        let fax = lower.contains("fax") || line.contains("传真");
        let kind = (!fax).then_some(PhoneKind::Other);
        card.phones.extend(phones.into_iter().map(|p| (p, kind)));
        return;
    }
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if card.company.is_empty() && has(COMPANY_WORDS) {
        card.company = line.to_owned();
    } else if has(TITLE_WORDS) {
        name_and_title(card, line);
    } else if card.name.is_empty() && looks_like_name(line) {
        card.name = line.to_owned();
    }
}

/// "张伟 销售总监": a leading name, then the title; or the title alone.
fn name_and_title(card: &mut RawCard, line: &str) {
    if let Some((first, rest)) = line.split_once(char::is_whitespace)
        && card.name.is_empty()
        && has_han(first)
        && (2..=4).contains(&first.chars().count())
    {
        card.name = first.to_owned();
        if card.title.is_empty() {
            card.title = rest.trim().to_owned();
        }
        return;
    }
    if card.title.is_empty() {
        card.title = line.to_owned();
    }
}

fn looks_like_name(line: &str) -> bool {
    let chars = line.chars().count();
    if has_han(line) {
        (2..=4).contains(&line.chars().filter(|c| !c.is_whitespace()).count())
    } else {
        chars <= 40 && !line.chars().any(|c| c.is_ascii_digit()) && line.contains(' ')
    }
}

/// The runs of digits and separators with 7 to 20 digits: each a number as written.
fn phone_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current = String::new();
    for c in text.chars().chain(std::iter::once('\n')) {
        if c.is_ascii_digit() || (!current.is_empty() && " -()".contains(c)) || c == '+' {
            current.push(c);
            continue;
        }
        let digits = current.chars().filter(char::is_ascii_digit).count();
        if (7..=20).contains(&digits) {
            runs.push(current.trim().to_owned());
        }
        current.clear();
    }
    runs
}
