//! The house check (issue 20): the server's files are rooms in layers, imports are arrows, and
//! no arrow may point up. [`LAYERS`] is the one table of the layers; a file imports only from a
//! lower layer or its own group. Surfaces share a layer but are separate groups, so no surface
//! imports another. Separately, no import circle may join two files of `sync-server/src` or
//! `core/src`.
//!
//! An import is a `use crate::…`, `use super::…` or `use self::…` line (groups and `as`
//! renames included), an inline `crate::a::b` path, or a path through a child module the file
//! declares (`pages::today` in `web/mod.rs`). Each resolves to the deepest file it names.

// A test harness: a missing source file is a broken checkout, so it panics with the reason.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The server's layers, bottom first: (group, layer, path prefixes under `sync-server/src`).
/// The longest matching prefix decides; a file no prefix names is an error.
const LAYERS: &[(&str, u8, &[&str])] = &[
    (
        "foundation",
        0,
        &[
            "error.rs",
            "api_error.rs",
            "gate.rs",
            "store/",
            "accounts/",
            "hub/",
            "connection.rs",
            "guard/",
            "office/",
        ],
    ),
    ("state", 1, &["app_state.rs", "auth.rs"]),
    ("sync", 2, &["sync_route.rs"]),
    ("accounts-api", 2, &["admin_api.rs"]),
    (
        "office-api",
        2,
        &["office/api.rs", "office/api_doc.rs", "office/api_grants.rs"],
    ),
    ("web", 2, &["web/"]),
    ("app", 3, &["app.rs", "lib.rs", "main.rs"]),
];

type Graph = BTreeMap<String, BTreeSet<String>>;

#[test]
fn no_server_module_imports_from_a_layer_above_it() {
    let graph = imports(&crate_dir("src"));
    let bad = upward_imports(&graph);
    assert!(
        bad.is_empty(),
        "imports against the layers:\n{}",
        bad.join("\n")
    );
}

#[test]
fn no_import_circle_in_the_server_or_the_core() {
    for dir in [crate_dir("src"), crate_dir("../core/src")] {
        let circles = circles(&imports(&dir));
        assert!(circles.is_empty(), "import circles in {dir}: {circles:?}");
    }
}

#[test]
fn the_check_catches_a_planted_upward_import_and_circle() {
    let mut graph = imports(&crate_dir("src"));
    let planted = ("guard/mod.rs", "admin_api.rs");
    graph
        .get_mut(planted.0)
        .expect("guard/mod.rs is a file")
        .insert(planted.1.into());
    assert_eq!(
        upward_imports(&graph),
        ["guard/mod.rs (foundation, 0) imports admin_api.rs (accounts-api, 2)"]
    );
    // admin_api.rs imports guard/, so the planted arrow also closes a circle.
    assert!(
        circles(&graph)
            .iter()
            .any(|c| c.contains(&planted.0.into()))
    );
}

#[test]
fn imports_are_read_from_use_lines_inline_paths_and_child_modules() {
    let files: BTreeMap<String, String> = [
        ("lib.rs", "mod a;\nmod b;\nfn f() { a::x(); }"),
        ("d/mod.rs", "mod e;\nfn h() { e::y(); }"),
        ("d/e.rs", "use super::Thing;"),
        ("a/mod.rs", "mod c;\nuse self::c::{Y as Z, W};"),
        (
            "a/c.rs",
            "use super::super::b::{self, q::{R}};\n// use crate::lib;",
        ),
        ("b.rs", "fn g() -> crate::a::c::Y { todo!() }"),
    ]
    .map(|(p, t)| (p.to_owned(), t.to_owned()))
    .into();
    let graph = graph_of(&files);
    let names = |f: &str| graph[f].iter().cloned().collect::<Vec<_>>();
    assert_eq!(names("lib.rs"), ["a/mod.rs"]);
    assert_eq!(names("a/mod.rs"), ["a/c.rs"]);
    assert_eq!(names("a/c.rs"), ["b.rs"]);
    assert_eq!(names("b.rs"), ["a/c.rs"]);
    assert_eq!(
        circles(&graph),
        [vec!["a/c.rs".to_owned(), "b.rs".to_owned()]]
    );
}

fn crate_dir(rel: &str) -> String {
    format!("{}/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn layer_of(file: &str) -> (&'static str, u8) {
    LAYERS
        .iter()
        .flat_map(|(group, layer, prefixes)| prefixes.iter().map(move |p| (p, *group, *layer)))
        .filter(|(p, _, _)| file.starts_with(**p))
        .max_by_key(|(p, _, _)| p.len())
        .map(|(_, g, l)| (g, l))
        .unwrap_or_else(|| panic!("{file} is in no layer: add it to LAYERS"))
}

fn upward_imports(graph: &Graph) -> Vec<String> {
    let mut bad = Vec::new();
    for (from, targets) in graph {
        let (fg, fl) = layer_of(from);
        for to in targets {
            let (tg, tl) = layer_of(to);
            if tl > fl || (tl == fl && tg != fg) {
                bad.push(format!("{from} ({fg}, {fl}) imports {to} ({tg}, {tl})"));
            }
        }
    }
    bad
}

/// Every `.rs` file under `dir` (relative paths) with what it imports.
fn imports(dir: &str) -> Graph {
    let mut files = BTreeMap::new();
    collect(Path::new(dir), Path::new(dir), &mut files);
    graph_of(&files)
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).expect("a source directory") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).expect("under root");
            let text = std::fs::read_to_string(&path).expect("a readable file");
            out.insert(rel.to_string_lossy().replace('\\', "/"), text);
        }
    }
}

fn graph_of(files: &BTreeMap<String, String>) -> Graph {
    files
        .iter()
        .map(|(file, text)| {
            let code = strip_comments(text);
            let me = module_path(file);
            let mut out = BTreeSet::new();
            for path in paths_in(&code, &me) {
                if let Some(target) = resolve(files, &path).filter(|t| t != file) {
                    out.insert(target);
                }
            }
            (file.clone(), out)
        })
        .collect()
}

/// The module path of a file: `web/mod.rs` → `[web]`, `web/pages.rs` → `[web, pages]`.
fn module_path(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file
        .trim_end_matches(".rs")
        .split('/')
        .map(Into::into)
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every crate-absolute path `code` names.
fn paths_in(code: &str, me: &[String]) -> Vec<Vec<String>> {
    let children = declared_children(code);
    let ours = |tree: &Vec<String>| {
        tree.first().is_some_and(|h| {
            ["crate", "super", "self"].contains(&h.as_str()) || children.contains(h)
        })
    };
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let before = rest[..at].chars().last();
        rest = &rest[at + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(end) = rest.find(';') else { break };
        for tree in expand(&rest[..end]).iter().filter(|t| ours(t)) {
            out.extend(absolute(tree, me));
        }
    }
    for (i, _) in code.match_indices("::") {
        let head: String = code[..i]
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let start = i - head.len();
        let preceded = code[..start].ends_with("::");
        if preceded || head.is_empty() {
            continue;
        }
        let segs = path_from(&code[start..]);
        if head == "crate" || children.contains(&head) {
            out.extend(absolute(&segs, me));
        }
    }
    out
}

/// The `a::b::c` at the start of `text`.
fn path_from(text: &str) -> Vec<String> {
    let mut segs = Vec::new();
    let mut rest = text;
    loop {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if word.is_empty() {
            break;
        }
        rest = &rest[word.len()..];
        segs.push(word);
        match rest.strip_prefix("::") {
            Some(r) => rest = r,
            None => break,
        }
    }
    segs
}

fn declared_children(code: &str) -> BTreeSet<String> {
    code.lines()
        .filter_map(|l| {
            let l = l
                .trim()
                .trim_start_matches("pub ")
                .trim_start_matches("pub(crate) ");
            l.strip_prefix("mod ")?.strip_suffix(';').map(str::to_owned)
        })
        .collect()
}

/// `a::{b, c::{d as e}}` → `[a, b]`, `[a, c, d]`.
fn expand(tree: &str) -> Vec<Vec<String>> {
    let flat: String = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = Vec::new();
    expand_into(Vec::new(), &flat, &mut out);
    out
}

fn expand_into(prefix: Vec<String>, tree: &str, out: &mut Vec<Vec<String>>) {
    let tree = tree.trim();
    if let Some(inner) = tree.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        let mut depth = 0;
        let mut from = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand_into(prefix.clone(), &inner[from..i], out);
                    from = i + 1;
                }
                _ => {}
            }
        }
        expand_into(prefix, &inner[from..], out);
        return;
    }
    if tree.is_empty() {
        return;
    }
    let mut segs = prefix;
    match tree.find("::{") {
        Some(at) => {
            segs.extend(tree[..at].split("::").map(|s| s.trim().to_owned()));
            expand_into(segs, &tree[at + 2..], out);
        }
        None => {
            let tree = tree.split(" as ").next().unwrap_or(tree);
            segs.extend(tree.split("::").map(|s| s.trim().to_owned()));
            out.push(segs);
        }
    }
}

/// A path relative to the file's module, made crate-absolute; `None` for other crates.
fn absolute(path: &[String], me: &[String]) -> Option<Vec<String>> {
    let (first, rest) = path.split_first()?;
    let mut base = match first.as_str() {
        "crate" => Vec::new(),
        "self" => me.to_vec(),
        "super" => me[..me.len().saturating_sub(1)].to_vec(),
        child => {
            let mut b = me.to_vec();
            b.push(child.to_owned());
            b
        }
    };
    let mut segs = rest.iter().peekable();
    while segs.peek().is_some_and(|s| *s == "super") {
        segs.next();
        base.pop();
    }
    base.extend(segs.filter(|s| *s != "self").cloned());
    Some(base)
}

/// The deepest file the path names: `a/b.rs` or `a/b/mod.rs`, then shorter prefixes.
fn resolve(files: &BTreeMap<String, String>, path: &[String]) -> Option<String> {
    (1..=path.len()).rev().find_map(|n| {
        let base = path[..n].join("/");
        [format!("{base}.rs"), format!("{base}/mod.rs")]
            .into_iter()
            .find(|c| files.contains_key(c))
    })
}

/// Whether `outer` is the module file (`a/mod.rs` or `a.rs`, `lib.rs`) that `inner` lives in: a module
/// using its own children is its rooms, not an arrow between rooms.
fn contains(outer: &str, inner: &str) -> bool {
    let dir = match outer.rsplit_once('/') {
        Some((dir, "mod.rs")) => dir.to_owned(),
        None if matches!(outer, "lib.rs" | "main.rs") => return true,
        _ => outer.trim_end_matches(".rs").to_owned(),
    };
    inner.starts_with(&format!("{dir}/"))
}

/// The import circles (a module's arrows to its own children left out): strongly connected sets of more than one file (Tarjan).
fn circles(graph: &Graph) -> Vec<Vec<String>> {
    struct Walk<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        out: Vec<Vec<String>>,
    }
    impl<'g> Walk<'g> {
        fn visit(&mut self, v: &'g str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if contains(v, w) {
                    continue;
                }
                if !self.index.contains_key(w) {
                    self.visit(w);
                    self.low.insert(v, self.low[v].min(self.low[w]));
                } else if self.stack.contains(&w) {
                    self.low.insert(v, self.low[v].min(self.index[w]));
                }
            }
            if self.low[v] == self.index[v] {
                let at = self
                    .stack
                    .iter()
                    .rposition(|x| *x == v)
                    .expect("on the stack");
                let mut set: Vec<String> = self.stack.drain(at..).map(Into::into).collect();
                if set.len() > 1 {
                    set.sort();
                    self.out.push(set);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    walk.out
}
