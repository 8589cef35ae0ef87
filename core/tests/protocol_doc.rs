//! docs/protocol.md, "Index document ids", is a recipe a stock client can follow: this test reads
//! the worked example from the document, computes every step the documented way (SHA-256,
//! the two bit masks, bs58check; straight from `sha2` and `bs58`, not through `index_id`), and
//! checks that each step equals the document and the result equals `index_id` (issue 20).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use fieldbook_core::UserId;
use fieldbook_core::sync::index_id;
use sha2::{Digest, Sha256};

/// The `name: value` lines of the worked example (the `text` block after the heading).
fn worked_example() -> BTreeMap<String, String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/protocol.md");
    let doc = std::fs::read_to_string(path).expect("docs/protocol.md");
    let section = doc
        .split("\n## Index document ids\n")
        .nth(1)
        .expect("a section \"Index document ids\"");
    let block = section
        .split("```text\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a worked example in a ```text block");
    block
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

#[test]
fn the_documented_index_id_recipe_gives_the_example_and_index_id() {
    let example = worked_example();
    let field = |k: &str| {
        example
            .get(k)
            .unwrap_or_else(|| panic!("{k}: in {example:?}"))
    };
    let user = field("user");

    // 1. SHA-256 over the prefix and the login name, as is.
    let input = format!("fieldbook-index/v1:{user}");
    assert_eq!(&input, field("input"));
    let digest = Sha256::digest(input.as_bytes());
    assert_eq!(&hex::encode(digest), field("sha256"));
    // 2. Its first 16 bytes.
    let mut id: [u8; 16] = digest[..16].try_into().unwrap();
    assert_eq!(&hex::encode(id), field("first 16"));
    // 3. Version 8 in byte 6, the RFC 9562 variant in byte 8; nothing else changes.
    id[6] = (id[6] & 0x0f) | 0x80;
    id[8] = (id[8] & 0x3f) | 0x80;
    assert_eq!(&hex::encode(id), field("marked"));
    let changed: Vec<usize> = (0..16).filter(|&i| id[i] != digest[i]).collect();
    assert!(changed.iter().all(|i| [6, 8].contains(i)), "{changed:?}");
    // 4. bs58check: base58 of the bytes and the first 4 bytes of a double SHA-256.
    let checksum = Sha256::digest(Sha256::digest(id));
    assert_eq!(&hex::encode(&checksum[..4]), field("checksum"));
    let mut payload = id.to_vec();
    payload.extend_from_slice(&checksum[..4]);
    let by_hand = bs58::encode(&payload).into_string();
    assert_eq!(bs58::encode(id).with_check().into_string(), by_hand);
    assert_eq!(&by_hand, field("index id"));

    // The code agrees with the document.
    let code = index_id(&UserId::new(user.as_str()).unwrap());
    assert_eq!(code.to_string(), by_hand);
    assert!(
        code.is_reserved(),
        "a version-8 id: the server's reserved space"
    );
}
