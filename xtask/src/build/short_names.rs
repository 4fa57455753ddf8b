//! Short import and export names for the widget's wasm and its glue.
//!
//! wasm-bindgen names every import after the JS function it binds plus a
//! hash (`__wbg_createElement_de4a31ed2fb252be`) and some exports after a
//! closure's full type path (130 bytes each). Each name is written twice,
//! once in the wasm and once in the glue, and hashes do not compress: about
//! 2.2 KiB of the first render's gzip bytes (docs/budgets.md). Binaryen's
//! `--minify-imports-and-exports-and-modules` renames them in the wasm and
//! prints the map; [`rewrite_glue`] applies that map to the glue, and
//! [`import_names`] reads back what the wasm imports, so the build can check
//! that the glue provides each one before anything ships.

use super::wasm_binary::Reader;
use crate::Result;

/// The glue with every renamed import key, import module and `wasm.<export>`
/// use replaced per binaryen's map (`{"imports": [[module, old, new]…],
/// "exports": [[old, new]…]}`). `imports` are what the renamed wasm asks
/// for: one module, and exactly the map's new names.
pub fn rewrite_glue(glue: &str, map: &str, imports: &[(String, String)]) -> Result<String> {
    let map: serde_json::Value = serde_json::from_str(map)?;
    let module = match imports.first() {
        Some((module, _)) if imports.iter().all(|(m, _)| m == module) => module,
        _ => return Err("the wasm should import from one module".into()),
    };
    let mut out = glue.to_owned();
    let mut old_modules = Vec::new();
    let mut wanted: Vec<&str> = imports.iter().map(|(_, name)| name.as_str()).collect();
    for entry in list(&map, "imports")? {
        let [old_module, old, new] = strings::<3>(entry)?;
        out = replace_names(&out, "", old, ":", new, Some(1))?;
        let Some(at) = wanted.iter().position(|name| *name == new) else {
            return Err(format!("the wasm does not import {new} ({old})").into());
        };
        wanted.swap_remove(at);
        if !old_modules.contains(&old_module) {
            old_modules.push(old_module);
        }
    }
    if !wanted.is_empty() {
        return Err(format!("binaryen's map does not name the imports {wanted:?}").into());
    }
    for old_module in old_modules {
        let from = format!("\"{old_module}\":");
        if !out.contains(&from) {
            return Err(format!("the glue has no import module {from}").into());
        }
        out = out.replace(&from, &format!("\"{module}\":"));
    }
    for entry in list(&map, "exports")? {
        let [old, new] = strings::<2>(entry)?;
        // Some exports (wasm-bindgen's abort hooks) are unused by this glue.
        out = replace_names(&out, "wasm.", old, "", new, None)?;
    }
    Ok(out)
}

fn list<'a>(map: &'a serde_json::Value, key: &str) -> Result<&'a Vec<serde_json::Value>> {
    map.get(key)
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| format!("binaryen's name map has no {key:?} list").into())
}

fn strings<const N: usize>(entry: &serde_json::Value) -> Result<[&str; N]> {
    let items: Vec<&str> = entry
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_str).collect())
        .unwrap_or_default();
    items
        .try_into()
        .map_err(|_| format!("binaryen's name map has an odd entry: {entry}").into())
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// Replaces `{before}{old}{after}` where `old` is a whole identifier,
/// keeping `before` and `after`; `expect` is how many there must be.
fn replace_names(
    text: &str,
    before: &str,
    old: &str,
    after: &str,
    new: &str,
    expect: Option<usize>,
) -> Result<String> {
    let needle = format!("{before}{old}{after}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut count = 0;
    while let Some(at) = rest.find(&needle) {
        let end = at + needle.len();
        let starts_clean = !rest[..at].ends_with(is_ident);
        let ends_clean = !after.is_empty() || !rest[end..].starts_with(is_ident);
        out.push_str(&rest[..at]);
        if starts_clean && ends_clean {
            for part in [before, new, after] {
                out.push_str(part);
            }
            count += 1;
        } else {
            out.push_str(&needle);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    match expect {
        Some(n) if n != count => {
            Err(format!("{old}: expected {n} in the glue, found {count}").into())
        }
        _ => Ok(out),
    }
}

/// The `(module, name)` of every import in a wasm binary.
pub fn import_names(wasm: &[u8]) -> Result<Vec<(String, String)>> {
    let mut r = Reader::new(wasm)?;
    while r.at < wasm.len() {
        let id = r.byte()?;
        let size = r.leb()?;
        let end = r.at + size;
        if id != 2 {
            r.at = end;
            continue;
        }
        let mut names = Vec::new();
        for _ in 0..r.leb()? {
            let module = r.name()?;
            let name = r.name()?;
            match r.byte()? {
                0x00 => drop(r.leb()?),        // function: type index
                0x01 => r.table_and_limits()?, // table
                0x02 => r.limits()?,           // memory
                0x03 => r.at += 2,             // global: value type, mutability
                0x04 => {
                    r.byte()?; // tag: attribute, type index
                    r.leb()?;
                }
                kind => return Err(format!("import kind {kind} is not one we read").into()),
            }
            names.push((module, name));
        }
        return Ok(names);
    }
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const GLUE: &str = r#"const import0 = {
        __wbg_get_2080c49015e35254: function(arg0, arg1) { return wasm.__wbindgen_malloc(arg0); },
        __wbg_get_2080c49015e35254x: function() {},
    };
    return { "./candor_launcher_bg.js": import0 };
    wasm.launch(s); wasm.launcher(s); notwasm.launch;"#;

    const MAP: &str = r#"{
 "imports": [
  ["./candor_launcher_bg.js", "__wbg_get_2080c49015e35254", "A"],
  ["./candor_launcher_bg.js", "__wbg_get_2080c49015e35254x", "B"]
 ],
"exports": [
  ["launch", "a"],
  ["__wbindgen_malloc", "b"],
  ["__abort_handler", "c"]
 ]
}"#;

    fn imports(names: &[&str]) -> Vec<(String, String)> {
        names.iter().map(|n| ("m".into(), (*n).into())).collect()
    }

    #[test]
    fn renames_whole_names_only() {
        let out = rewrite_glue(GLUE, MAP, &imports(&["B", "A"])).unwrap();
        assert!(out.contains("A: function(arg0, arg1) { return wasm.b(arg0); }"));
        assert!(out.contains("B: function() {}"));
        assert!(out.contains(r#"{ "m": import0 }"#));
        assert!(out.contains("wasm.a(s); wasm.launcher(s);"));
        assert!(!out.contains("__wbg_"));
    }

    #[test]
    fn an_import_the_glue_lacks_is_an_error() {
        let map = MAP.replace("2080c49015e35254x", "ffff");
        let err = rewrite_glue(GLUE, &map, &imports(&["A", "B"]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("expected 1"), "{err}");
    }

    #[test]
    fn the_map_and_the_wasm_must_agree() {
        let err = |names: &[&str]| {
            rewrite_glue(GLUE, MAP, &imports(names))
                .unwrap_err()
                .to_string()
        };
        assert!(err(&["A"]).contains("does not import B"));
        assert!(err(&["A", "B", "C"]).contains("does not name the imports [\"C\"]"));
        let two_modules = [("m".into(), "A".into()), ("n".into(), "B".into())];
        assert!(rewrite_glue(GLUE, MAP, &two_modules).is_err());
    }

    #[test]
    fn reads_the_imports_of_a_module() {
        // (module (import "a" "b" (func)) (import "a" "c" (memory 1 2)))
        let wasm = [
            b"\0asm".as_slice(),
            &[1, 0, 0, 0],
            &[1, 4, 1, 0x60, 0, 0], // type section: () -> ()
            &[2, 15, 2],
            &[1, b'a', 1, b'b', 0x00, 0],
            &[1, b'a', 1, b'c', 0x02, 1, 1, 2],
        ]
        .concat();
        let names = import_names(&wasm).unwrap();
        assert_eq!(names, [("a".into(), "b".into()), ("a".into(), "c".into())]);
        assert!(import_names(b"nope").is_err());
    }
}
