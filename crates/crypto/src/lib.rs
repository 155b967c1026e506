//! ordercore-crypto
