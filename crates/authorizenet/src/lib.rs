//! ordercore-authorizenet
