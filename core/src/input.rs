//! Checking what a person typed: phone numbers and e-mail addresses.
//!
//! Phone numbers go through `phonenumber` (Google's libphonenumber data) with China as the
//! default region, so `138 0013 8000`, `+86 138-0013-8000` and `008613800138000` are one number,
//! written `+8613800138000` (E.164). Bad input is an [`Error::InvalidInput`] in Chinese and
//! English; callers validate before they edit, so a rejected input changes nothing.

use phonenumber::country::Id;
use phonenumber::{Mode, PhoneNumber};

use crate::error::{Error, Result};

/// The region assumed for numbers written without a country code.
pub const DEFAULT_REGION: Id = Id::CN;

/// Parses a phone number written in any common form; `None` if it is not a phone number.
pub fn parse_phone(text: &str) -> Option<PhoneNumber> {
    let trimmed = text.trim();
    let digits = trimmed.chars().filter(char::is_ascii_digit).count();
    if !(5..=20).contains(&digits) {
        return None;
    }
    // "00" is China's international call prefix; libphonenumber wants "+".
    let cleaned = match trimmed.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => trimmed.to_owned(),
    };
    phonenumber::parse(Some(DEFAULT_REGION), cleaned)
        .ok()
        .filter(phonenumber::is_valid)
}

/// The E.164 form of a valid phone number, or a bilingual error naming `field`.
pub fn normalize_phone(field: &str, text: &str) -> Result<String> {
    parse_phone(text)
        .map(|n| n.format().mode(Mode::E164).to_string())
        .ok_or_else(|| {
            Error::invalid(
                field,
                "电话号码无效，请输入如 13800138000 或 +86 10 1234 5678 的号码 / \
                 not a valid phone number; write e.g. 13800138000 or +86 10 1234 5678",
            )
        })
}

/// A checked e-mail address, trimmed; or a bilingual error naming `field`.
pub fn validate_email(field: &str, text: &str) -> Result<String> {
    let trimmed = text.trim();
    if email_address::EmailAddress::is_valid(trimmed) && trimmed.contains('.') {
        Ok(trimmed.to_owned())
    } else {
        Err(Error::invalid(
            field,
            "电子邮箱格式无效，例如 name@example.com / not a valid e-mail address, e.g. name@example.com",
        ))
    }
}

/// A non-blank text, trimmed; or a bilingual error saying what is missing.
pub fn require_text(field: &str, text: &str, what_zh: &str, what_en: &str) -> Result<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        Err(Error::invalid(
            field,
            format!("必须填写{what_zh} / {what_en} is required"),
        ))
    } else {
        Ok(trimmed.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_in_any_written_form_normalise_to_one_e164_number() {
        for form in [
            "13800138000",
            "138 0013 8000",
            "+86 138-0013-8000",
            "008613800138000",
        ] {
            assert_eq!(
                normalize_phone("phone", form).ok().as_deref(),
                Some("+8613800138000"),
                "{form}"
            );
        }
        assert_eq!(
            normalize_phone("phone", "010-6552 9988").ok().as_deref(),
            Some("+861065529988")
        );
    }

    #[test]
    fn a_bad_phone_is_refused_in_chinese_and_english() {
        let err = normalize_phone("prospect.phone", "12345")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("电话号码无效") && err.contains("not a valid phone number"),
            "{err}"
        );
    }

    #[test]
    fn emails_are_checked() {
        assert!(validate_email("email", " li@example.cn ").is_ok());
        assert!(validate_email("email", "li@@example").is_err());
        assert!(validate_email("email", "li").is_err());
    }
}
