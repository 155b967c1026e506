//! ordercore-store
