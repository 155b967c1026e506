//! Every status slug of contract §4, reached through its documented cause, with
//! its HTTP code and the envelope members present and absent.

use crate::support::*;
use actix_web::test::TestRequest;
use chrono::Duration;
use ordercore_domain::StoreError;
use ordercore_domain::model::ApplicationSlug;
use ordercore_domain::ports::{
    IdempotencyBegin, MockCatalogRepository, MockIdempotencyStore, MockRouteRegistry, PaymentError,
    RouteRegistry,
};
use serde_json::json;
use std::sync::Arc;

#[test]
fn every_slug_has_a_test_here() {
    let source = [
        include_str!("slugs/payment.rs"),
        include_str!("slugs/access.rs"),
        include_str!("slugs/params.rs"),
        include_str!("slugs/failures.rs"),
        include_str!("slugs/requests.rs"),
        include_str!("slugs/accounts.rs"),
        include_str!("slugs/orders.rs"),
    ]
    .concat();
    for slug in ordercore_http::Slug::ALL {
        let name = format!("async fn {}", slug.as_str().replace('-', "_"));
        assert!(
            source.contains(&name),
            "no test named after {}",
            slug.as_str()
        );
    }
}

mod access;
mod accounts;
mod failures;
mod orders;
mod params;
mod payment;
mod requests;
