//! Where things are, relative to the workspace root.

use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

pub fn edge() -> PathBuf {
    root().join("edge")
}

/// The wrangler that `npm ci` installed from the committed lock file.
pub fn wrangler() -> PathBuf {
    edge().join("node_modules/.bin/wrangler")
}

pub fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}
