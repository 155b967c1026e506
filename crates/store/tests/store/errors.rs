//! Storage failures keep their cause: the `source()` chain of a failed call
//! reaches the driver's own error, through `StoreError` and `Unexpected`.

use diesel::RunQueryDsl;
use ordercore_domain::ports::{NotificationRepository, Page};
use ordercore_domain::{StoreError, Unexpected};
use ordercore_store::Store;
use std::error::Error;

contract_tests!(a_database_failure_keeps_the_diesel_error);

/// The first error of `e`'s `source()` chain that is a diesel error.
fn diesel_cause<'a>(e: &'a (dyn Error + 'static)) -> Option<&'a diesel::result::Error> {
    let mut next = e.source();
    while let Some(cause) = next {
        if let Some(d) = cause.downcast_ref::<diesel::result::Error>() {
            return Some(d);
        }
        next = cause.source();
    }
    None
}

async fn a_database_failure_keeps_the_diesel_error(store: &Store) {
    let mut c = store.pool().get().unwrap();
    diesel::sql_query("DROP TABLE notifications")
        .execute(&mut *c)
        .unwrap();
    drop(c);

    let e = NotificationRepository::list(store, Page::default())
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Backend(_)), "{e:?}");
    let cause = diesel_cause(&e).expect("the diesel error behind the store error");
    assert!(
        matches!(cause, diesel::result::Error::DatabaseError(..)),
        "{cause:?}"
    );
    assert!(
        e.to_string().contains("notifications"),
        "the one-line message still names the failure: {e}"
    );

    let unexpected = Unexpected::from(e);
    assert!(
        diesel_cause(&unexpected).is_some(),
        "Unexpected keeps the chain: {unexpected:?}"
    );
}
