//! ordercore-http
