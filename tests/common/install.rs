//! Shared by the test binaries: `cargo test` is the whole set-up, so a suite that finds something
//! missing runs the project's own `scripts/install-deps`, and fails loudly — never skips — when
//! that does not bring it.

use std::io::Write;
use std::path::Path;
use std::process::Command;

/// `missing` lists what the suite needs and lacks; `suite` names the suite in messages.
pub fn ensure(suite: &str, missing: impl Fn() -> Vec<String>) {
    let gone = missing();
    if gone.is_empty() {
        return;
    }
    // Written straight to stderr: the test harness would swallow eprintln! in a passing test.
    let _ = std::io::stderr().write_all(
        format!(
            "{suite}: missing {}; running scripts/install-deps\n",
            gone.join(", ")
        )
        .as_bytes(),
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new("bash")
        .arg(root.join("scripts/install-deps"))
        .current_dir(root)
        .status();
    let still = missing();
    assert!(
        still.is_empty(),
        "{suite} cannot run: missing {} (scripts/install-deps: {status:?}). \
         Run `sudo scripts/install-deps` once, then `cargo test` again.",
        still.join(", ")
    );
}
