//! `bin/check-prereqs`, which `make run` and `make test` run before Cargo:
//! on a machine without the C compiler or the system libraries the build
//! links, it names them with the exact install commands and fails; here,
//! where the suite was built, it passes.

use ordercore_e2e::tests_dir;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn script() -> PathBuf {
    tests_dir().join("../bin/check-prereqs")
}

/// bash's absolute path, found on this process's PATH (the script runs with
/// a PATH that has no bash on it).
fn bash() -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join("bash"))
        .find(|candidate| candidate.is_file())
        .expect("bash on PATH")
}

/// The script with nothing but `path` on PATH, every searched directory
/// under `root`, and `os` in place of `uname -s`.
fn run_isolated(path: &Path, root: &Path, os: &str) -> Output {
    Command::new(bash())
        .arg(script())
        .env_clear()
        .env("PATH", path)
        .env("ORDERCORE_PREREQS_ROOT", root)
        .env("ORDERCORE_PREREQS_OS", os)
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn on_a_bare_linux_machine_it_fails_with_the_debian_and_macos_install_commands() {
    let empty = tempfile::tempdir().unwrap();
    let output = run_isolated(empty.path(), empty.path(), "Linux");
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("sudo apt-get install build-essential libpq-dev pkg-config libssl-dev"),
        "{text}"
    );
    assert!(text.contains("brew install libpq"), "{text}");
    assert!(
        text.contains(r#"export PQ_LIB_DIR="$(brew --prefix libpq)/lib""#),
        "{text}"
    );
    assert!(text.contains("xcode-select --install"), "{text}");
}

#[test]
fn on_macos_only_the_compiler_and_libpq_are_asked_for() {
    let empty = tempfile::tempdir().unwrap();
    let output = run_isolated(empty.path(), empty.path(), "Darwin");
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("brew install libpq"), "{text}");
    assert!(!text.contains("OpenSSL"), "{text}");
    assert!(!text.contains("pkg-config"), "{text}");
}

#[test]
fn without_pkg_config_it_finds_the_library_files_and_asks_only_for_what_is_missing() {
    // A compiler on PATH and libpq's files under the fake root; no
    // pkg-config, no OpenSSL.
    let bin = tempfile::tempdir().unwrap();
    let cc = bin.path().join("cc");
    std::fs::write(&cc, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&cc, std::fs::Permissions::from_mode(0o755)).unwrap();
    let root = tempfile::tempdir().unwrap();
    let lib = root.path().join("usr/lib/x86_64-linux-gnu");
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::write(lib.join("libpq.so"), b"").unwrap();

    let output = run_isolated(bin.path(), root.path(), "Linux");
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("sudo apt-get install pkg-config libssl-dev\n"),
        "{text}"
    );
    assert!(!text.contains("libpq"), "libpq was found: {text}");
    assert!(!text.contains("C compiler"), "cc was found: {text}");

    // With OpenSSL's library and header too, only pkg-config is missing.
    std::fs::write(lib.join("libssl.so"), b"").unwrap();
    let include = root.path().join("usr/include/openssl");
    std::fs::create_dir_all(&include).unwrap();
    std::fs::write(include.join("ssl.h"), b"").unwrap();
    let output = run_isolated(bin.path(), root.path(), "Linux");
    let text = stderr(&output);
    assert!(text.contains("sudo apt-get install pkg-config\n"), "{text}");
}

#[test]
fn on_the_machine_that_built_this_suite_it_passes() {
    let output = Command::new(bash()).arg(script()).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("found"));
}
