//! Helpers for the black-box suite live in `e2e/`.
