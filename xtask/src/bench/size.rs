//! Where the widget's wasm bytes go, per crate (twiggy), so every crate in
//! the widget has to earn its place. Measured on each build after the same
//! `wasm-opt -Oz`, but with names kept so twiggy can attribute them.

use crate::build::target_dir;
use crate::tools::Tools;
use crate::Result;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use xshell::{cmd, Shell};

/// Which part of the program a function or data item belongs to.
fn part(item: &str) -> &'static str {
    const PARTS: [(&str, &str); 13] = [
        ("candor_widget", "candor-widget (our code)"),
        (".rodata", "data: strings, CSS, tables"),
        ("lol_alloc", "allocator (lol_alloc)"),
        ("dlmalloc", "allocator (dlmalloc, from std)"),
        ("fmt", "core::fmt (panic messages)"),
        ("panic", "panic machinery"),
        ("futures", "futures (wasm-bindgen-futures / js-sys)"),
        ("wasm_bindgen", "wasm-bindgen runtime"),
        ("web_sys", "web-sys"),
        ("js_sys", "js-sys"),
        (
            "shim",
            "exported entry points (wasm-bindgen shims, our code inlined)",
        ),
        ("alloc", "alloc (String, Vec, Rc)"),
        ("core", "core (str, iterators)"),
    ];
    PARTS
        .iter()
        .find(|(pattern, _)| item.contains(pattern))
        .map_or("other (imports, tables, glue code)", |(_, name)| name)
}

pub fn table(t: &Tools) -> Result<String> {
    let twiggy = crate::tools::twiggy()?;
    let sh = Shell::new()?;
    let out = target_dir().join("widget");
    let mut md = String::from(
        "| part | launcher build | inline build | full build |\n|---|---:|---:|---:|\n",
    );
    let mut sums: BTreeMap<&str, [u64; 3]> = BTreeMap::new();
    let builds = ["candor_launcher", "candor_inline", "candor_widget"];
    for (i, name) in builds.into_iter().enumerate() {
        let named = out.join(format!("{name}.named.wasm"));
        let input = out.join("bindgen").join(format!("{name}_bg.wasm"));
        let opt = &t.wasm_opt;
        cmd!(sh, "{opt} -Oz -g -o {named} {input}").quiet().run()?;
        let csv = cmd!(sh, "{twiggy} top -n 100000 --format csv {named}")
            .quiet()
            .read()?;
        for line in csv.lines().skip(1) {
            // Name,ShallowSize,ShallowSizePercent,RetainedSize,RetainedSizePercent
            // — the name may hold commas, so split from the right.
            let mut cols = line.rsplitn(5, ',').skip(3);
            let (size, item) = (cols.next(), cols.next().unwrap_or_default());
            let Some(size) = size.and_then(|s| s.parse::<u64>().ok()) else {
                continue;
            };
            if item.contains("function names") {
                continue; // debug names: stripped from what ships
            }
            sums.entry(part(item)).or_insert([0; 3])[i] += size;
        }
    }
    let mut rows: Vec<_> = sums.into_iter().collect();
    rows.sort_by_key(|(_, [.., full])| std::cmp::Reverse(*full));
    for (part, [launcher, inline, full]) in rows {
        writeln!(md, "| {part} | {launcher} B | {inline} B | {full} B |")?;
    }
    md.push_str(
        "\nRaw bytes before gzip, by twiggy 0.8.0 over `wasm-opt -Oz -g` output (names kept for \
         attribution, so totals differ slightly from the shipped files). Inlined library code \
         is counted where it landed.\n",
    );
    Ok(md)
}
