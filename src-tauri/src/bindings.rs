//! Writes `ui/src/lib/bindings.ts`: the TypeScript declarations of every type
//! that crosses the bridge and a typed wrapper per command, generated from the
//! Rust types with ts-rs. The test `bindings_are_fresh` fails when the
//! checked-in file is stale; `W3MQ_WRITE_BINDINGS=1 cargo test bindings`
//! rewrites it.

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};

use ts_rs::{TypeVisitor, TS};

/// The command the UI subscribes to [`w3mq_core::present::UiEvent`]s with:
/// it takes a `Channel<UiEvent>` (`crate::forward::subscribe`).
pub const SUBSCRIBE: &str = "subscribe";

/// ts-rs settings: 64-bit integers are JSON numbers here.
pub fn config() -> ts_rs::Config {
    ts_rs::Config::new().with_large_int("number")
}

/// Collects the declarations of types and their dependencies.
pub struct Collect {
    cfg: ts_rs::Config,
    seen: HashSet<TypeId>,
    decls: BTreeMap<String, String>,
}

impl Collect {
    fn new() -> Self {
        Collect {
            cfg: config(),
            seen: HashSet::new(),
            decls: BTreeMap::new(),
        }
    }

    /// Declares `T` (if it is a named type) and everything it uses.
    pub fn add<T: TS + 'static + ?Sized>(&mut self) {
        self.visit::<T>();
    }
}

impl TypeVisitor for Collect {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        if T::output_path().is_some() {
            let mut decl = String::new();
            if let Some(d) = T::docs() {
                decl.push_str(&d);
            }
            decl.push_str("export ");
            decl.push_str(&T::decl(&self.cfg));
            self.decls.insert(T::ident(&self.cfg), decl);
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

/// A command's TypeScript signature (the `commands!` list makes them).
pub struct Signature {
    /// The command's name.
    pub name: &'static str,
    /// Its doc comment.
    pub doc: &'static str,
    /// Argument names and TypeScript types.
    pub args: Vec<(&'static str, String)>,
    /// The TypeScript type it resolves to.
    pub ret: String,
    /// Visits the argument and return types (to declare them).
    pub visit: fn(&mut Collect),
}

/// The whole of `bindings.ts`, for the commands `sigs`.
pub fn generate(sigs: Vec<Signature>) -> String {
    let mut c = Collect::new();
    c.add::<w3mq_core::present::UiEvent>();
    c.add::<crate::error::AppError>();
    for s in &sigs {
        (s.visit)(&mut c);
    }
    let mut out = String::from(
        "// Generated from the Rust types by src-tauri/src/bindings.rs. Do not edit:\n\
         // run `W3MQ_WRITE_BINDINGS=1 cargo test -p w3mq-desktop bindings` after changing them.\n\
         /* eslint-disable */\n\n",
    );
    for d in c.decls.values() {
        out.push_str(d);
        out.push_str("\n\n");
    }
    out.push_str(&format!(
        "/** The command that takes the Channel<UiEvent> the UI reads events from. */\nexport const SUBSCRIBE = {SUBSCRIBE:?};\n\n"
    ));
    out.push_str(
        "/** Calls a command; rejects with an AppError. */\n\
         export type Invoke = <T>(cmd: string, args: Record<string, unknown>) => Promise<T>;\n\n\
         /** Every command, typed. */\n\
         export function commands(invoke: Invoke) {\n  return {\n",
    );
    for s in &sigs {
        let params: Vec<String> = s.args.iter().map(|(n, t)| format!("{n}: {t}")).collect();
        let names: Vec<&str> = s.args.iter().map(|(n, _)| *n).collect();
        let args = if names.is_empty() {
            "{}".to_owned()
        } else {
            format!("{{ {} }}", names.join(", "))
        };
        out.push_str(&format!(
            "    /** {} */\n    {}: ({}) => invoke<{}>({:?}, {}),\n",
            s.doc.trim(),
            s.name,
            params.join(", "),
            s.ret,
            s.name,
            args
        ));
    }
    out.push_str("  };\n}\n\n/** The typed commands. */\nexport type Commands = ReturnType<typeof commands>;\n");
    out
}

#[cfg(test)]
mod tests {
    use super::generate;
    use crate::commands::signatures;

    #[test]
    fn bindings_are_fresh() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/bindings.ts");
        let want = generate(signatures());
        if std::env::var_os("W3MQ_WRITE_BINDINGS").is_some() {
            std::fs::write(&path, &want).expect("write bindings.ts");
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "ui/src/lib/bindings.ts is stale: run `W3MQ_WRITE_BINDINGS=1 cargo test -p w3mq-desktop bindings`"
        );
    }
}
