//! Rebuilds the crate when the built-in theme, the chart font or the `init`
//! starter changes.
//!
//! `include_dir!` embeds `themes/default` at compile time but cannot tell
//! cargo to watch it on stable Rust, so an edited template or stylesheet would
//! otherwise ship stale until some `.rs` file changed.

fn main() {
    println!("cargo:rerun-if-changed=themes");
    println!("cargo:rerun-if-changed=assets");
    println!("cargo:rerun-if-changed=starter");
}
