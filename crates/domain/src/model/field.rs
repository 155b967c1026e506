//! Typed field errors: which input of a use case is wrong, and why. The
//! domain names the input by meaning; the HTTP layer maps each [`Field`] to
//! its API param path (one function there), so no param path appears here.

/// An input of a use case that can be missing or invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The client an order (or a promotion quote) is for.
    OrderClient,
    /// The client a card route acts on.
    CardClient,
    /// The order's primary service.
    PrimaryService,
    /// The order's add-on services as a whole (e.g. their total overflows).
    AddOns,
    /// The add-on service at this index of the request.
    AddOn(usize),
    /// The stored card an order is paid with.
    PaymentMethod,
    /// The stored card a payment-method route acts on.
    TargetPaymentMethod,
    /// A new client's password.
    ClientPassword,
    /// The application a session or registration is for.
    Application,
}

/// One problem with one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: Field,
    /// Why, for a person reading the answer.
    pub reason: String,
    /// True when a required input is absent; false when present but wrong.
    pub missing: bool,
}

/// Every problem found, in the order found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    /// Records that `field` is required and absent.
    pub fn missing(&mut self, field: Field) {
        self.0.push(FieldError {
            field,
            reason: "is required".into(),
            missing: true,
        });
    }

    /// Records that `field` is present but wrong, for `reason`.
    pub fn invalid(&mut self, field: Field, reason: impl Into<String>) {
        self.0.push(FieldError {
            field,
            reason: reason.into(),
            missing: false,
        });
    }

    /// True when no problem was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A list of the one problem `field` is wrong for `reason`.
    pub fn one_invalid(field: Field, reason: impl Into<String>) -> FieldErrors {
        let mut errs = FieldErrors::default();
        errs.invalid(field, reason);
        errs
    }

    /// A list of the one problem `field` is missing.
    pub fn one_missing(field: Field) -> FieldErrors {
        let mut errs = FieldErrors::default();
        errs.missing(field);
        errs
    }
}
