//! Lists `migrations/*.sql` for a site's own Durable Object
//! (`src/store/object.rs`), which applies them itself on first use, as
//! wrangler applies them to D1: one list, read from the directory, so the
//! two homes can never run different schemas.

use std::fmt::Write as _;
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new("migrations");
    println!("cargo:rerun-if-changed=migrations");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        // Wrangler applies the `.sql` files, exactly so spelt.
        if path.extension().is_some_and(|e| e == "sql") {
            if let Some(name) = path.file_name() {
                names.push(name.to_string_lossy().into_owned());
            }
        }
    }
    // Wrangler applies them in name order; so does the object.
    names.sort();
    let mut list = String::from("&[\n");
    for name in &names {
        // The path is spelt from `CARGO_MANIFEST_DIR` when the crate
        // compiles, not baked in here: a target directory shared by two
        // checkouts reruns this script only when `migrations` changes, and
        // an absolute path would then name the other checkout's files.
        writeln!(
            list,
            "    ({name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/migrations/{name}\"))),"
        )?;
    }
    list.push_str("]\n");
    std::fs::write(
        Path::new(&std::env::var("OUT_DIR")?).join("migrations.rs"),
        list,
    )?;
    Ok(())
}
