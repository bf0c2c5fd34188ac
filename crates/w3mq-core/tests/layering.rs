//! The shape holds: no new import cycle between modules of the workspace's
//! crates (the way Fluux Messenger's `layering.test.ts` guards its UI).
//!
//! Each `.rs` file under a crate's `src/` is a module (`sync/mailbox.rs` is
//! `sync::mailbox`, `sync/mod.rs` is `sync`). A module depends on another
//! when it names `crate::<path>` (or `super::…`, resolved) and the path
//! reaches into that module. A module and its ancestors may name each other
//! (a parent declares its children; a child uses its parent's items), so
//! those edges are left out. Any other cycle fails the test unless it is in
//! [`ALLOWED`], which docs/architecture.md explains.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Cycles that are there on purpose, as the sorted modules of each cycle.
const ALLOWED: &[(&str, &[&str])] = &[
    // The view queries (present) and the presenter are `impl Engine` blocks
    // in their own files: they extend the engine, which starts the presenter.
    ("w3mq-core", &["engine", "present", "presenter"]),
];

fn crate_dirs() -> Vec<(&'static str, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    vec![
        ("w3mq-core", root.join("w3mq-core/src")),
        ("w3mq-server", root.join("w3mq-server/src")),
        ("w3mq-protocol", root.join("w3mq-protocol/src")),
        ("w3mq-desktop", root.join("../src-tauri/src")),
        ("w3mq-demo", root.join("w3mq-demo/src")),
    ]
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read src dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `sync/mailbox.rs` → `["sync", "mailbox"]`; `lib.rs` → `[]`.
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The `crate::…` and `super::…` paths a file names, as module paths.
fn named_paths(text: &str, module: &[String], is_mod_file: bool) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (prefix, base) in [
        ("crate::", Vec::new()),
        ("super::", {
            // `super` of `a/b.rs` is `a`; of `a/b/mod.rs` (module a::b) it is `a`.
            let mut m = module.to_vec();
            let _ = is_mod_file;
            m.pop();
            m
        }),
    ] {
        let mut rest = text;
        while let Some(i) = rest.find(prefix) {
            let before = rest[..i].chars().last();
            rest = &rest[i + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let mut path = base.clone();
            let mut tail = rest;
            // A `use crate::{a, b::c}` group names each of its members.
            if let Some(group) = tail.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let item = item.trim();
                    let seg: Vec<String> = item
                        .split("::")
                        .map(|s| s.trim().to_owned())
                        .take_while(|s| {
                            !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_')
                        })
                        .collect();
                    let mut p = path.clone();
                    p.extend(seg);
                    out.push(p);
                }
                continue;
            }
            loop {
                let seg: String = tail
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if seg.is_empty() {
                    break;
                }
                path.push(seg.clone());
                tail = &tail[seg.len()..];
                match tail.strip_prefix("::") {
                    Some(t) if !t.starts_with('{') => tail = t,
                    _ => break,
                }
            }
            out.push(path);
        }
    }
    out
}

/// The longest module of `modules` that `path` reaches into.
fn target<'a>(modules: &'a BTreeSet<Vec<String>>, path: &[String]) -> Option<&'a Vec<String>> {
    (1..=path.len())
        .rev()
        .find_map(|n| modules.get(&path[..n].to_vec()))
}

fn nested(a: &[String], b: &[String]) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// Strongly connected components with more than one module (Tarjan).
fn cycles(graph: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Vec<BTreeSet<String>> {
    struct T<'g> {
        g: &'g BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        index: BTreeMap<&'g Vec<String>, usize>,
        low: BTreeMap<&'g Vec<String>, usize>,
        stack: Vec<&'g Vec<String>>,
        on: BTreeSet<&'g Vec<String>>,
        next: usize,
        out: Vec<BTreeSet<String>>,
    }
    fn visit<'g>(t: &mut T<'g>, v: &'g Vec<String>) {
        t.index.insert(v, t.next);
        t.low.insert(v, t.next);
        t.next += 1;
        t.stack.push(v);
        t.on.insert(v);
        if let Some(ws) = t.g.get(v) {
            for w in ws {
                let Some((w, _)) = t.g.get_key_value(w) else {
                    continue;
                };
                if !t.index.contains_key(w) {
                    visit(t, w);
                    let lw = t.low[w];
                    let lv = t.low[v];
                    t.low.insert(v, lv.min(lw));
                } else if t.on.contains(w) {
                    let iw = t.index[w];
                    let lv = t.low[v];
                    t.low.insert(v, lv.min(iw));
                }
            }
        }
        if t.low[v] == t.index[v] {
            let mut comp = BTreeSet::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                comp.insert(w.join("::"));
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                t.out.push(comp);
            }
        }
    }
    let mut t = T {
        g: graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn no_new_import_cycles_between_modules() {
    let mut failures = Vec::new();
    for (name, src) in crate_dirs() {
        let mut files = Vec::new();
        rs_files(&src, &mut files);
        let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(&src, f)).collect();
        let mut graph: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
        for f in &files {
            let m = module_of(&src, f);
            let text = std::fs::read_to_string(f).expect("read source");
            // Tests inside a file may name anything; comments (docs) name
            // what they explain.
            let code: String = text
                .split("#[cfg(test)]")
                .next()
                .unwrap_or(&text)
                .lines()
                .map(|l| match l.find("//") {
                    Some(i) => &l[..i],
                    None => l,
                })
                .collect::<Vec<_>>()
                .join("\n");
            let code = code.as_str();
            let is_mod = f.file_name().is_some_and(|n| n == "mod.rs");
            let deps = graph.entry(m.clone()).or_default();
            for p in named_paths(code, &m, is_mod) {
                if let Some(t) = target(&modules, &p) {
                    if !t.is_empty() && !nested(t, &m) {
                        deps.insert(t.clone());
                    }
                }
            }
        }
        for c in cycles(&graph) {
            let allowed = ALLOWED.iter().any(|(k, mods)| {
                *k == name && mods.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>() == c
            });
            if !allowed {
                failures.push(format!(
                    "{name}: {}",
                    c.into_iter().collect::<Vec<_>>().join(" ↔ ")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "import cycles between modules (break them, or add them to ALLOWED with the reason):\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let m = |s: &str| s.split("::").map(str::to_owned).collect::<Vec<_>>();
    let mut g = BTreeMap::new();
    g.insert(m("a"), BTreeSet::from([m("b")]));
    g.insert(m("b"), BTreeSet::from([m("c")]));
    g.insert(m("c"), BTreeSet::from([m("a")]));
    g.insert(m("d"), BTreeSet::from([m("a")]));
    let c = cycles(&g);
    assert_eq!(
        c,
        vec![BTreeSet::from(["a".into(), "b".into(), "c".into()])]
    );
    let paths = named_paths(
        "use crate::{sync::mailbox::X, ingest};\nlet x = super::y::Z;",
        &m("sync::run"),
        false,
    );
    assert!(paths.contains(&m("sync::mailbox::X")));
    assert!(paths.contains(&m("ingest")));
    assert!(paths.contains(&m("sync::y::Z")));
}
