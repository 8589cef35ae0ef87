//! Bytes to text: quoted-printable (`quoted_printable`, robust mode), the charset
//! (`encoding_rs`; without one, UTF-8, else GB18030), and vCard's backslash escapes.

use encoding_rs::{Encoding, GB18030};

/// A warning when a charset label is unknown (the text is read as UTF-8 or GB18030 instead).
pub(super) const UNKNOWN_CHARSET: &str = "名片声明了无法识别的字符集，已按 UTF-8/GBK 读取 / the card names an unknown charset; read as UTF-8 or GBK";

/// The text of `bytes` in `charset` (a label such as `GBK`); without one, UTF-8 if the bytes
/// are valid UTF-8, else GB18030. Also says whether the label was unknown.
pub(super) fn text(bytes: &[u8], charset: Option<&str>) -> (String, bool) {
    let named = charset.map(|label| Encoding::for_label(label.trim().as_bytes()));
    match named {
        Some(Some(enc)) => (enc.decode_without_bom_handling(bytes).0.into_owned(), false),
        other => {
            let text = match std::str::from_utf8(bytes) {
                Ok(s) => s.to_owned(),
                Err(_) => GB18030.decode_without_bom_handling(bytes).0.into_owned(),
            };
            (text, matches!(other, Some(None)))
        }
    }
}

/// Quoted-printable decoding, robust: a malformed escape is kept as written.
pub(super) fn quoted_printable(bytes: &[u8]) -> Vec<u8> {
    quoted_printable::decode(bytes, quoted_printable::ParseMode::Robust)
        .unwrap_or_else(|_| bytes.to_vec())
}

/// Splits a structured value (`N`, `ORG`) on unescaped `sep`, keeping escapes for [`unescape`].
pub(super) fn split_unescaped(value: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let last = parts.last_mut();
                if let Some(part) = last {
                    part.push('\\');
                    if let Some(next) = chars.next() {
                        part.push(next);
                    }
                }
            }
            c if c == sep => parts.push(String::new()),
            c => {
                if let Some(part) = parts.last_mut() {
                    part.push(c);
                }
            }
        }
    }
    parts
}

/// Undoes vCard text escapes: `\,` `\;` `\:` `\\` and `\n`/`\N` (a line break).
pub(super) fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_without_a_label_is_read_as_gb18030() {
        let (gbk, _, _) = GB18030.encode("张伟");
        assert_eq!(text(&gbk, None), ("张伟".to_owned(), false));
        assert_eq!(text(&gbk, Some("GBK")), ("张伟".to_owned(), false));
        assert!(text(b"abc", Some("no-such-charset")).1);
    }

    #[test]
    fn escapes_and_structured_values() {
        assert_eq!(unescape(r"A\, B\; C\nD\\"), "A, B; C\nD\\");
        assert_eq!(
            split_unescaped(r"Acme\; Co;Sales;East", ';'),
            vec![r"Acme\; Co", "Sales", "East"]
        );
    }
}
