//! Every public rule function has a production caller (issue 17): a rule that only its unit
//! tests call is a rule nobody enforces. The test reads the sources: each `pub fn` of
//! `core/src/rules/` must be referenced from production code — the FFI (`bindings/src`), the
//! server (`sync-server/src`), the demo (`mobile-demo/src`) or the core outside the rules (the
//! lifecycle judge, the store, the queries, the sync client) — or from another rule function that
//! is itself reached. Test code (`*_tests.rs`, `tests.rs`, `#[cfg(test)]` modules) does not count.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every `.rs` file under `dir`, recursively.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn is_test_file(p: &Path) -> bool {
    let name = p.file_name().unwrap().to_string_lossy();
    name.ends_with("_tests.rs") || name == "tests.rs"
}

/// The production part of a file: up to its first `#[cfg(test)]`, without comment lines.
fn production_text(p: &Path) -> String {
    let text = std::fs::read_to_string(p).unwrap();
    let cut = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..cut]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether `text` holds `needle` as a whole token (no identifier character either side).
fn has_token(text: &str, needle: &str) -> bool {
    text.match_indices(needle).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + needle.len()..].chars().next();
        !before.is_some_and(ident_char) && !after.is_some_and(ident_char)
    })
}

/// A top-level function of a rules file: its module, name, whether public, and its body.
struct RuleFn {
    module: String,
    name: String,
    public: bool,
    body: String,
}

/// Splits a rules file's production text into its top-level functions (a line starting with
/// `pub fn`, `pub(crate) fn` or `fn` at column 0 opens one; the next such line closes it).
fn functions(module: &str, text: &str) -> Vec<RuleFn> {
    let mut out: Vec<RuleFn> = Vec::new();
    for line in text.lines() {
        let (public, rest) = if let Some(r) = line.strip_prefix("pub fn ") {
            (true, Some(r))
        } else if let Some(r) = line.strip_prefix("pub(crate) fn ") {
            (false, Some(r))
        } else if let Some(r) = line.strip_prefix("fn ") {
            (false, Some(r))
        } else {
            (false, None)
        };
        if let Some(rest) = rest {
            let name: String = rest.chars().take_while(|c| ident_char(*c)).collect();
            out.push(RuleFn {
                module: module.to_owned(),
                name,
                public,
                body: String::new(),
            });
        } else if let Some(f) = out.last_mut() {
            f.body.push_str(line);
            f.body.push('\n');
        }
    }
    out
}

/// Whether production text `text` refers to `f`: as `module::name` (or `alias::name` where the
/// file imports the module `as alias`), or as `name` in a file that imports it from its module.
fn refers_to(text: &str, f: &RuleFn) -> bool {
    if has_token(text, &format!("{}::{}", f.module, f.name)) {
        return true;
    }
    // `rules::module as alias` and `rules::module::{self as alias, ..}`.
    // `rules::{module as alias, ..}` too.
    let aliases = text.lines().filter_map(|l| {
        if !l.contains("use ") || !l.contains("rules::") {
            return None;
        }
        let at = l.find(&format!("rules::{}", f.module)).or_else(|| {
            l.match_indices(&f.module)
                .find(|(i, _)| {
                    has_token(&l[*i..], &f.module)
                        && l[*i..].starts_with(&format!("{} as ", f.module))
                })
                .map(|(i, _)| i)
        })?;
        let rest = &l[at..];
        let i = rest.find(" as ")?;
        let alias: String = rest[i + 4..]
            .chars()
            .take_while(|c| ident_char(*c))
            .collect();
        (!alias.is_empty()).then_some(alias)
    });
    for alias in aliases.collect::<Vec<_>>() {
        if has_token(text, &format!("{alias}::{}", f.name)) {
            return true;
        }
    }
    let imports = text.lines().any(|l| {
        l.contains("use ") && l.contains(&format!("rules::{}", f.module)) && has_token(l, &f.name)
    });
    imports && has_token(text, &f.name)
}

#[test]
fn every_public_rule_function_has_a_production_caller() {
    let root = root();
    let mut rule_files = Vec::new();
    sources(&root.join("core/src/rules"), &mut rule_files);
    let mut fns = Vec::new();
    // A file included with `#[path = "x.rs"]` is a private submodule whose functions its parent
    // re-exports: they are named by the parent module.
    let mut parent_of = std::collections::BTreeMap::new();
    for p in &rule_files {
        let text = std::fs::read_to_string(p).unwrap();
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        for (i, _) in text.match_indices("#[path = \"") {
            let file: String = text[i + 10..].chars().take_while(|c| *c != '"').collect();
            parent_of.insert(file.trim_end_matches(".rs").to_owned(), stem.clone());
        }
    }
    for p in rule_files.iter().filter(|p| !is_test_file(p)) {
        let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
        if stem == "mod" {
            continue;
        }
        let module = parent_of.get(&stem).cloned().unwrap_or(stem);
        fns.extend(functions(&module, &production_text(p)));
    }
    assert!(
        fns.iter().filter(|f| f.public).count() > 20,
        "the rules were found"
    );

    let mut production = Vec::new();
    for dir in [
        "bindings/src",
        "sync-server/src",
        "mobile-demo/src",
        "core/src",
    ] {
        sources(&root.join(dir), &mut production);
    }
    let rules_dir = root.join("core/src/rules");
    let outside: Vec<String> = production
        .iter()
        .filter(|p| !p.starts_with(&rules_dir) && !is_test_file(p))
        .map(|p| production_text(p))
        .collect();

    // Reached from outside the rules, then through rule functions that are reached.
    let mut reached: BTreeSet<usize> = (0..fns.len())
        .filter(|&i| outside.iter().any(|t| refers_to(t, &fns[i])))
        .collect();
    loop {
        let more: Vec<usize> = (0..fns.len())
            .filter(|i| !reached.contains(i))
            .filter(|&i| {
                reached.iter().any(|&r| {
                    let caller = &fns[r];
                    let same_module = caller.module == fns[i].module;
                    (same_module && has_token(&caller.body, &fns[i].name))
                        || refers_to(&caller.body, &fns[i])
                })
            })
            .collect();
        if more.is_empty() {
            break;
        }
        reached.extend(more);
    }
    let orphans: Vec<String> = (0..fns.len())
        .filter(|i| fns[*i].public && !reached.contains(i))
        .map(|i| format!("rules::{}::{}", fns[i].module, fns[i].name))
        .collect();
    assert!(
        orphans.is_empty(),
        "public rule functions that nothing in production calls (wire them into the FFI, the \
         judge or the server, or make them private): {orphans:?}"
    );
}
