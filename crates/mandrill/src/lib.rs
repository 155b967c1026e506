//! ordercore-mandrill
