//! Black-box tests of the `ordercore` binary.
