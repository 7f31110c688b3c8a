//! Compiles the built-in scenario pack (`scenarios/core`) into the binary, so `kubedrill`
//! works from any directory without the source tree.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/core");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    let mut out = String::from(
        "/// `(file name, text)` of every scenario file of the built-in pack.\npub const SCENARIOS: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let is_yaml = name.ends_with(".yaml") || name.ends_with(".yml");
        if !is_yaml || name == "pack.yaml" {
            continue;
        }
        println!("cargo:rerun-if-changed={}", f.display());
        let _ = writeln!(
            out,
            "    ({name:?}, include_str!({:?})),",
            f.display().to_string()
        );
    }
    out.push_str("];\n");
    let _ = writeln!(
        out,
        "/// The built-in pack's `pack.yaml`.\npub const PACK_YAML: &str = include_str!({:?});",
        dir.join("pack.yaml").display().to_string()
    );
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("builtin_pack.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
    }
}
