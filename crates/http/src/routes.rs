//! The route table (contract §7, §8) as data: from it come routing, validation,
//! dispatch, the OpenAPI document and the documentation pages.
//!
//! # Adding a route
//!
//! 1. In `handlers/<resource>.rs` (one module per resource), write its params
//!    struct (`#[derive(Deserialize)]` and, for the tests,
//!    `#[cfg_attr(test, derive(serde::Serialize))]`): one field per param the
//!    handler reads, named as the param; a param that is not required is an
//!    `Option`. The pipeline's own params (`token`, `application`,
//!    `session_view`) are not in it.
//! 2. Write the handler: `pub async fn x(state: &AppState, req: &ApiRequest,
//!    p: XParams) -> Result<Success, ApiError>`; map its use case's errors in
//!    `errors.rs`.
//! 3. Add its [`RouteDef`] (usually through [`Simple`]) to `build` below,
//!    with `handler: Handler::new(resource::x)` (the params struct is taken
//!    from the handler's signature), its [`ParamDef`]s and its [`Example`]: a
//!    request that works on the demo data and its answer. Every field is
//!    required, so a route without a handler or an example does not compile.
//!
//! The test `every_route_params_fit_its_struct` (in `handlers/tests.rs`)
//! then fails if the struct and the table disagree in either direction, and
//! `every_route_answers_its_documented_example` (HTTP tests) if the example
//! gets another answer.

use crate::handlers::promotions::QuoteJson;
use crate::handlers::{
    Check, Handler, catalog, events, identity, notifications, orders, payment_methods, payments,
    promotions, webhooks,
};
use crate::params::{Fingerprint, ParamDef, ParamType as T};
use crate::slug::Slug;
use crate::views::{
    ClientJson, EventJson, NotificationJson, OrderJson, OrderView, PaymentMethodJson, ServiceJson,
    SessionJson, SessionView, WebhookEndpointJson,
};
use ordercore_domain::model::{AccessMethod, ApplicationSlug, PropertyType, Role};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::json;
use std::sync::LazyLock;

pub mod example;
pub use example::{Example, Given};

/// How the OpenAPI document describes a route's `data`: registers the view
/// struct with the generator and returns the schema (usually a `$ref`).
pub type DataSchema = fn(&mut SchemaGenerator) -> Schema;

/// `data` is one `T`.
fn one<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// `data` is an array of `T`.
fn list<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<Vec<T>>()
}

/// Who may call a route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// No authentication step. `token` is optional and, when given, is passed
    /// to the use case (`users/client_register` for a session without client).
    Public,
    /// Any authenticated caller (session or application token), in any role
    /// or none (`planoauth`).
    AnyCaller,
    /// A session token only (it is the session that is acted on).
    SessionOnly,
    /// Callers acting in one of these roles.
    Roles(Vec<Role>),
}

/// One route: everything the pipeline, dispatch and the documentation need
/// to know about it.
#[derive(Debug)]
pub struct RouteDef {
    pub resource: &'static str,
    pub action: &'static str,
    /// Its handler and params struct (step 9).
    pub(crate) handler: Handler,
    /// The schema of `data` in its successful answer (from the view
    /// struct the handler renders), for the OpenAPI document.
    pub data: DataSchema,
    /// Its own part of step 8, if any (parsing of `json` params).
    pub(crate) check: Option<Check>,
    /// The API service record that switches it off with others.
    pub service: &'static str,
    pub purpose: &'static str,
    /// Body is base64 of the JSON object, `Content-Type: text/plain`.
    pub sensitive: bool,
    pub access: Access,
    /// Whether an `Idempotency-Key` header is honoured.
    pub idempotent: bool,
    /// Step 5 reads the order named by the `id` param together with the
    /// session, in one look-up (orders/read: docs/architecture.md).
    pub order_with_session: bool,
    /// Views of `data`; `default` first.
    pub views: Vec<&'static str>,
    /// Every parameter, common ones included, in ordinal order.
    pub params: Vec<ParamDef>,
    /// Slugs only this route's use case answers (the pipeline's are added by
    /// [`RouteDef::responses`]).
    pub outcomes: Vec<Slug>,
    /// A request that works on the demo data and its answer, shown on the
    /// page and in the OpenAPI document, and sent by the HTTP tests.
    pub example: Example,
}

impl RouteDef {
    /// This route, with [`RouteDef::order_with_session`].
    fn reading_order_with_session(mut self) -> RouteDef {
        self.order_with_session = true;
        self
    }

    /// `resource/action`.
    pub fn path(&self) -> String {
        format!("{}/{}", self.resource, self.action)
    }

    pub fn content_type(&self) -> &'static str {
        if self.sensitive {
            "text/plain"
        } else {
            "application/json"
        }
    }

    pub fn is_public(&self) -> bool {
        self.access == Access::Public
    }

    pub fn param(&self, name: &str) -> Option<&ParamDef> {
        self.params.iter().find(|p| p.name == name)
    }

    /// Every slug this route can answer, in contract §4 order: the pipeline's
    /// (those that apply to it) and its use case's.
    pub fn responses(&self) -> Vec<Slug> {
        use Slug::*;
        let mut v = vec![
            ActionSuccessful,
            IdentifyRequestError,
            RouteNotFound,
            ServiceNotFound,
            InvalidContentType,
            InvalidEncodedParams,
            NoParamsDecoded,
            PayloadTooLarge,
            MissingParam,
            InvalidParam,
            RateLimitExceeded,
            ApplicationCrash,
        ];
        if !self.is_public() {
            v.extend([
                InvalidToken,
                SessionExpired,
                ClientRequired,
                PermissionDenied,
            ]);
        }
        if self.idempotent {
            v.push(IdempotencyKeyConflict);
        }
        v.extend(self.outcomes.iter().copied());
        v.sort();
        v.dedup();
        v
    }
}

/// The whole table, built once.
pub static ROUTES: LazyLock<Vec<RouteDef>> = LazyLock::new(build);

/// The route at `resource/action`.
pub fn find(resource: &str, action: &str) -> Option<&'static RouteDef> {
    ROUTES
        .iter()
        .find(|r| r.resource == resource && r.action == action)
}

/// `(route, service)` pairs for `RouteRegistry::register`.
pub fn registry_pairs() -> Vec<(String, String)> {
    ROUTES
        .iter()
        .map(|r| (r.path(), r.service.to_string()))
        .collect()
}

/// The slugs of the domain's applications, in its order.
pub fn application_names() -> Vec<&'static str> {
    ApplicationSlug::ALL.iter().map(|a| a.as_str()).collect()
}

fn token(required: bool) -> ParamDef {
    let p = ParamDef::new(
        "token",
        T::String,
        100,
        "A session token (from sessions/create) or an application token.",
    )
    .max_len(512);
    if required { p.required() } else { p }
}

fn application(required: bool) -> ParamDef {
    if required {
        // Log-in and registration: the application of the new session.
        return ParamDef::new(
            "application",
            T::String,
            200,
            "The application the new session is for; it decides the role: clients use `planoorder`, \
             employees and liaisons `planox2`, anyone `planoauth`. `sessions/create` answers \
             `user-requires-role` to a user without a role in it.",
        )
        .values(&application_names())
        .required();
    }
    ParamDef::new(
        "application",
        T::String,
        200,
        "The application the request is made from; it decides the role. Default: the session's application.",
    )
    .values(&application_names())
}

fn session_view() -> ParamDef {
    ParamDef::new(
        "session_view",
        T::String,
        300,
        "The view of the `session` member of the answer.",
    )
    .values(&SessionView::NAMES)
}

fn view(ordinal: u32, views: &[&'static str]) -> ParamDef {
    ParamDef::new("view", T::String, ordinal, "The view of `data`.").values(views)
}

fn id_param(ordinal: u32, what: &'static str) -> ParamDef {
    ParamDef::new("id", T::Integer, ordinal, what).required()
}

/// The highest page a listing serves (beyond it no count of records fits).
pub const MAX_PAGE: i64 = 1_000_000;

fn paging() -> [ParamDef; 2] {
    [
        ParamDef::new(
            "page",
            T::Integer,
            2,
            "1-based page number, at most 1000000. Default 1.",
        )
        .range(Some(1), Some(MAX_PAGE)),
        ParamDef::new(
            "per_page",
            T::Integer,
            3,
            "Items per page, at most 100. Default 25.",
        )
        .range(Some(1), Some(100)),
    ]
}

fn client_ref() -> ParamDef {
    ParamDef::field(
        "client",
        T::Parent,
        "`{ \"id\": integer }`: the client ordered for. A client may omit it or name itself; staff must give it.",
    )
    .fields(vec![ParamDef::field("id", T::Integer, "Client id.").required()])
}

fn service_ref() -> ParamDef {
    ParamDef::field(
        "primary_service",
        T::Parent,
        "`{ \"id\": integer }`: an active primary service.",
    )
    .required()
    .fields(vec![
        ParamDef::field("id", T::Integer, "Service id.").required(),
    ])
}

/// Most add-ons of one order.
pub const MAX_ADD_ONS: usize = 20;
/// Most of one add-on in one order.
pub const MAX_QUANTITY: i64 = 100;
/// Most preferred appointment windows of one order.
pub const MAX_APPOINTMENTS: usize = 3;

fn add_ons() -> ParamDef {
    ParamDef::field(
        "add_on_services",
        T::Array,
        format!(
            "At most {MAX_ADD_ONS} `[{{ \"id\": integer, \"quantity\": integer 1 to {MAX_QUANTITY} (default 1) }}]`: active add-on services; the same id twice is invalid."
        ),
    )
    .max_items(MAX_ADD_ONS)
    .fields(vec![
        ParamDef::field("id", T::Integer, "Service id.").required(),
        ParamDef::field("quantity", T::Integer, "Default 1.").range(Some(1), Some(MAX_QUANTITY)),
    ])
}

/// The keys `order.property_info` may have.
fn property_info_keys() -> Vec<ParamDef> {
    let s = |name, d: &'static str| ParamDef::field(name, T::String, d);
    let n = |name| ParamDef::field(name, T::Integer, "A non-negative integer.");
    vec![
        ParamDef::field("address", T::Parent, "The property's address.")
            .required()
            .fields(vec![
                s("street", "Street.").required(),
                s("street2", "Street, second line."),
                s("city", "City.").required(),
                s("state", "2-letter US state.").required(),
                s("postal_code", "5 digits or ZIP+4.").required(),
            ]),
        s("property_type", "The kind of property."),
        n("square_footage"),
        n("bedrooms"),
        n("bathrooms"),
        n("price"),
        s("external_property_id", "The caller's id of the property."),
        s("notes", "Notes."),
    ]
}

/// The keys `order.property_access` may have.
fn property_access_keys() -> Vec<ParamDef> {
    let s = |name, d: &'static str| ParamDef::field(name, T::String, d);
    vec![
        ParamDef::field("vacant", T::Boolean, "Whether the property is vacant.").required(),
        s("method_of_access", "How to get in.").required(),
        s("access_code", "The code."),
        s("lockbox_location", "Where the lockbox is."),
        s("onsite_contact_name", "On-site contact."),
        s("onsite_contact_email", "On-site contact's e-mail."),
        s("onsite_contact_phone", "On-site contact's phone."),
    ]
}

/// The keys of each window of `order.appointments`.
fn appointment_keys() -> Vec<ParamDef> {
    vec![
        ParamDef::field("starts_at", T::Datetime, "Start of the window.").required(),
        ParamDef::field("ends_at", T::Datetime, "End of the window.").required(),
    ]
}

/// The `order` parent of the submitting routes.
fn order_param() -> ParamDef {
    ParamDef::new("order", T::Parent, 5, "The order.")
        .required()
        .fields(vec![
            client_ref(),
            service_ref(),
            add_ons(),
            ParamDef::field(
                "property_info",
                T::Json,
                format!(
                        "`address{{street, street2?, city, state (2-letter US), postal_code (5 digits or ZIP+4)}}`; optional `property_type` ({}), `square_footage`, `bedrooms`, `bathrooms`, `price` (non-negative integers), `external_property_id` (≤255), `notes` (≤1000).",
                        PropertyType::NAMES.join(", ")
                ),
            )
            .required()
            .fields(property_info_keys()),
            ParamDef::field(
                "property_access",
                T::Json,
                format!(
                        "`vacant` boolean (required), `method_of_access` (required: {}); `access_code` (≤255, required for lockbox_code and keypad), `lockbox_location` (≤255, required for lockbox_code), `onsite_contact_name` (≤255), `onsite_contact_email` (≤254), `onsite_contact_phone`.",
                        AccessMethod::NAMES.join(", ")
                ),
            )
            .required()
            .fields(property_access_keys()),
            ParamDef::field(
                "appointments",
                T::Json,
                format!("1 to {MAX_APPOINTMENTS} preferred windows `[{{ \"starts_at\": datetime, \"ends_at\": datetime }}]`, each in the future, `ends_at` after `starts_at`, at most 12 hours long."),
            )
            .required()
            .max_items(MAX_APPOINTMENTS)
            .fields(appointment_keys()),
        ])
}

fn submit_route(
    action: &'static str,
    handler: Handler,
    purpose: &'static str,
    example: Example,
) -> RouteDef {
    use Slug::*;
    RouteDef {
        resource: "orders",
        action,
        handler,
        data: one::<OrderJson>,
        check: Some(orders::check_submission),
        service: "orders",
        purpose,
        sensitive: false,
        access: Access::Roles(vec![Role::Client, Role::Employee, Role::Liaison]),
        idempotent: true,
        order_with_session: false,
        views: OrderView::NAMES.to_vec(),
        params: vec![
            view(2, &OrderView::NAMES),
            ParamDef::new(
                "payment_method_id",
                T::Integer,
                3,
                "A stored, active payment method of the order's client; required when the total is above zero and the client pays by card.",
            ),
            ParamDef::new(
                "promotion_code",
                T::String,
                4,
                "A promotion code (case-insensitive).",
            )
            .max_len(255),
            order_param(),
            token(true),
            application(false),
            session_view(),
        ],
        outcomes: vec![
            InvalidPromotion,
            PromotionExpended,
            DeclinedPayment,
            CardNumberInvalid,
            DuplicatePayment,
            FailedPayment,
            CardExpired,
            ExternalApplicationError,
            InvalidPaymentProcessorApiKeys,
            MandrillEmailFailed,
        ],
        example,
    }
}

/// A route of the usual shape: a JSON body, the `default` view only, a
/// required token, its own params between `view` and the common ones.
struct Simple {
    resource: &'static str,
    action: &'static str,
    handler: Handler,
    data: DataSchema,
    purpose: &'static str,
    access: Access,
    /// Its own params (ordinals from 2).
    params: Vec<ParamDef>,
    /// Slugs only its use case answers.
    outcomes: Vec<Slug>,
    example: Example,
}

impl Simple {
    fn route(self) -> RouteDef {
        let mut params = vec![view(1, &["default"])];
        params.extend(self.params);
        params.extend([token(true), application(false), session_view()]);
        RouteDef {
            resource: self.resource,
            action: self.action,
            handler: self.handler,
            data: self.data,
            check: None,
            service: self.resource,
            purpose: self.purpose,
            sensitive: false,
            access: self.access,
            idempotent: false,
            order_with_session: false,
            views: vec!["default"],
            params,
            outcomes: self.outcomes,
            example: self.example,
        }
    }

    /// The route, with the order views (`default`, `summary`, `full`).
    fn order_views(self) -> RouteDef {
        let mut r = self.route();
        r.views = OrderView::NAMES.to_vec();
        r.params[0] = view(1, &OrderView::NAMES);
        r
    }
}

fn build() -> Vec<RouteDef> {
    use Slug::*;
    let processor = || {
        vec![
            DeclinedPayment,
            CardNumberInvalid,
            DuplicatePayment,
            FailedPayment,
            CardExpired,
            ExternalApplicationError,
            InvalidPaymentProcessorApiKeys,
        ]
    };
    let client_employee = || Access::Roles(vec![Role::Client, Role::Employee]);
    let everyone = || Access::Roles(vec![Role::Client, Role::Employee, Role::Liaison]);
    let client_id = |ordinal| {
        ParamDef::new(
            "client_id",
            T::Integer,
            ordinal,
            "The client whose cards these are; required for employees, ignored for clients.",
        )
    };
    vec![
        RouteDef {
            resource: "sessions",
            action: "create",
            handler: Handler::new(identity::create_session),
            data: one::<SessionJson>,
            check: None,
            service: "sessions",
            purpose: "Logs in with e-mail and password; `data` is the new session with its token, shown once.",
            sensitive: true,
            access: Access::Public,
            idempotent: false,
            order_with_session: false,
            views: vec!["default"],
            params: vec![
                view(1, &["default"]),
                ParamDef::new(
                    "email",
                    T::String,
                    2,
                    "The user's e-mail (case-insensitive).",
                )
                .required()
                .max_len(254),
                ParamDef::new("password", T::String, 3, "The user's password.")
                    .required()
                    .max_len(1024),
                ParamDef::new(
                    "remember_me",
                    T::Boolean,
                    4,
                    "A remember-me session never ages out (it can still be destroyed).",
                ),
                application(true),
                session_view(),
            ],
            outcomes: vec![
                EmailNotFound,
                InvalidPassword,
                UserHasNoPassword,
                UserRequiresRole,
            ],
            example: Example::success(
                Given::DemoData,
                json!({"email": "client@example.com", "password": "demo-password", "application": "planoorder"}),
                "Logged in.",
                example::session(true),
            ),
        },
        Simple {
            resource: "sessions",
            action: "destroy",
            handler: Handler::new(identity::destroy_session),
            data: one::<SessionJson>,
            purpose: "Revokes the calling session.",
            access: Access::SessionOnly,
            params: vec![],
            outcomes: vec![],
            example: Example::success(
                Given::ClientSession,
                json!({"token": example::SESSION_TOKEN}),
                "Logged out.",
                example::session(false),
            ),
        }
        .route(),
        RouteDef {
            resource: "users",
            action: "client_register",
            handler: Handler::new(identity::register_client),
            data: one::<ClientJson>,
            check: None,
            service: "users",
            purpose: "Creates the user (if needed) and its client record; `data` is the client and `session` a new session with its token.",
            sensitive: true,
            access: Access::Public,
            idempotent: false,
            order_with_session: false,
            views: vec!["default"],
            params: vec![
                view(1, &["default"]),
                ParamDef::new("client", T::Parent, 2, "The client to register.")
                    .required()
                    .fields(vec![
                        ParamDef::field("email", T::String, "E-mail (case-insensitive, unique).")
                            .required()
                            .max_len(254),
                        ParamDef::field("password", T::String, "At least 8 characters.")
                            .required()
                            .max_len(1024),
                        ParamDef::field("first_name", T::String, "First name.")
                            .required()
                            .max_len(255),
                        ParamDef::field("last_name", T::String, "Last name.")
                            .required()
                            .max_len(255),
                        ParamDef::field("phone", T::String, "Phone number.").max_len(32),
                        ParamDef::field("company_name", T::String, "Company.").max_len(255),
                    ]),
                token(false),
                application(true),
                session_view(),
            ],
            outcomes: vec![EmailAlreadyRegistered, InvalidToken, SessionExpired],
            example: Example::success(
                Given::DemoData,
                json!({
                    "application": "planoorder",
                    "client": {
                        "email": "new.client@example.com",
                        "password": "a-long-password",
                        "first_name": "Robin",
                        "last_name": "Buyer",
                        "phone": "303-555-0100",
                        "company_name": "Robin Homes"
                    }
                }),
                "Client registered.",
                json!({
                    "id": 2, "email": "new.client@example.com", "first_name": "Robin",
                    "last_name": "Buyer", "billing": "card", "designation": null
                }),
            ),
        },
        RouteDef {
            resource: "payment_methods",
            action: "create",
            handler: Handler::new(payment_methods::add_payment_method),
            data: one::<PaymentMethodJson>,
            check: None,
            service: "payment_methods",
            purpose: "Stores a card with the payment processor (customer profile once per client, then a payment profile); only profile ids, brand, last 4 digits and expiry are kept.",
            sensitive: true,
            access: client_employee(),
            idempotent: true,
            order_with_session: false,
            views: vec!["default"],
            params: vec![
                view(1, &["default"]),
                client_id(2),
                ParamDef::new("payment_method", T::Parent, 3, "The card.")
                    .required()
                    .fields(vec![
                        ParamDef::field("name_on_card", T::String, "As printed on the card.")
                            .required()
                            .max_len(255),
                        ParamDef::field(
                            "card_number",
                            T::String,
                            "13 to 19 digits; spaces and dashes are ignored.",
                        )
                        .required()
                        .max_len(32)
                        .fingerprint(Fingerprint::CardSummary),
                        ParamDef::field("cvc", T::String, "3 or 4 digits.")
                            .required()
                            .max_len(4)
                            .fingerprint(Fingerprint::Omit),
                        ParamDef::field("exp_month", T::Integer, "1 to 12.")
                            .required()
                            .range(Some(1), Some(12)),
                        ParamDef::field("exp_year", T::Integer, "4 digits.")
                            .required()
                            .range(Some(1000), Some(9999)),
                        ParamDef::field("street", T::String, "Billing street.")
                            .required()
                            .max_len(255),
                        ParamDef::field("street2", T::String, "Billing street, second line.")
                            .max_len(255),
                        ParamDef::field("city", T::String, "Billing city.")
                            .required()
                            .max_len(255),
                        ParamDef::field(
                            "province_iso",
                            T::String,
                            "ISO 3166-2 subdivision, e.g. `us_co`.",
                        )
                        .required()
                        .max_len(10),
                        ParamDef::field("postal_code", T::String, "Billing postal code.")
                            .required()
                            .max_len(10),
                        ParamDef::field(
                            "name",
                            T::String,
                            "A name for the card. Default: brand and last 4 digits.",
                        )
                        .max_len(255),
                        ParamDef::field(
                            "default",
                            T::Boolean,
                            "Make it the client's default card.",
                        ),
                    ]),
                token(true),
                application(false),
                session_view(),
            ],
            outcomes: processor(),
            example: Example::success(
                Given::DemoData,
                json!({
                    "token": example::STAFF_TOKEN,
                    "client_id": 1,
                    "payment_method": {
                        "name_on_card": "Dana Client",
                        "card_number": "4111 1111 1111 1111",
                        "cvc": "123",
                        "exp_month": 12,
                        "exp_year": example::card_year(),
                        "street": "1 Main St",
                        "city": "Denver",
                        "province_iso": "us_co",
                        "postal_code": "80202",
                        "name": "Office card",
                        "default": true
                    }
                }),
                "Payment method added.",
                json!({
                    "id": 2, "name": "Office card", "brand": "visa", "last4": "1111",
                    "exp_month": 12, "exp_year": example::card_year(), "default": true
                }),
            ),
        },
        Simple {
            resource: "payment_methods",
            action: "index",
            handler: Handler::new(payment_methods::list_payment_methods),
            data: list::<PaymentMethodJson>,
            purpose: "The client's active payment methods, default first.",
            access: client_employee(),
            params: vec![client_id(2)],
            outcomes: vec![],
            example: Example::success(
                Given::DemoData,
                json!({"token": example::STAFF_TOKEN, "client_id": 1}),
                "1 payment methods.",
                json!([example::demo_card()]),
            ),
        }
        .route(),
        Simple {
            resource: "payment_methods",
            action: "destroy",
            handler: Handler::new(payment_methods::remove_payment_method),
            data: one::<PaymentMethodJson>,
            purpose: "Deactivates a payment method and deletes its processor payment profile.",
            access: client_employee(),
            params: vec![id_param(2, "The payment method id.")],
            outcomes: vec![],
            example: Example::success(
                Given::DemoData,
                json!({"token": example::STAFF_TOKEN, "id": 1}),
                "Payment method removed.",
                example::demo_card(),
            ),
        }
        .route(),
        Simple {
            resource: "services",
            action: "index",
            handler: Handler::new(catalog::list_services),
            data: list::<ServiceJson>,
            purpose: "Active services, primary and add-on, with prices.",
            access: Access::AnyCaller,
            params: vec![],
            outcomes: vec![],
            example: Example::success(
                Given::DemoData,
                json!({"token": example::STAFF_TOKEN}),
                "4 services.",
                example::services(),
            ),
        }
        .route(),
        Simple {
            resource: "promotions",
            action: "validate",
            handler: Handler::new(promotions::validate_promotion),
            data: one::<QuoteJson>,
            purpose: "The discount a promotion code would give (for `order`, when given), or why it cannot be used.",
            access: client_employee(),
            params: vec![
                ParamDef::new(
                    "promotion_code",
                    T::String,
                    2,
                    "The code (case-insensitive).",
                )
                .required()
                .max_len(255),
                ParamDef::new(
                    "order",
                    T::Parent,
                    3,
                    "The order it would apply to: its client and services.",
                )
                .fields(vec![client_ref(), service_ref(), add_ons()]),
            ],
            outcomes: vec![InvalidPromotion, PromotionExpended],
            example: Example::success(
                Given::DemoData,
                json!({
                    "token": example::STAFF_TOKEN,
                    "promotion_code": "welcome10",
                    "order": {"client": {"id": 1}, "primary_service": {"id": 1}, "add_on_services": [{"id": 2, "quantity": 1}]}
                }),
                "The promotion code WELCOME10 is valid.",
                json!({
                    "code": "WELCOME10", "kind": "percent", "value": 1000,
                    "subtotal_cents": 20000, "discount_cents": 2000, "total_cents": 18000
                }),
            ),
        }
        .route(),
        submit_route(
            "authorize_and_submit",
            Handler::new(orders::authorize_and_submit),
            "Checks the promotion, places an authorization hold on the client's stored card, stores the order and sends the confirmation e-mail.",
            Example::success(
                Given::DemoData,
                example::submit_request(),
                "Order 1 submitted.",
                example::order("submitted", "authorization", "authorized"),
            ),
        ),
        submit_route(
            "pay_and_submit",
            Handler::new(orders::pay_and_submit),
            "Like authorize_and_submit, but charges the card at once.",
            Example::success(
                Given::DemoData,
                example::submit_request(),
                "Order 1 submitted.",
                example::order("submitted", "charge", "captured"),
            ),
        ),
        Simple {
            resource: "orders",
            action: "read",
            handler: Handler::new(orders::read),
            data: one::<OrderJson>,
            purpose: "One order visible to the requester.",
            access: everyone(),
            params: vec![id_param(2, "The order id.")],
            outcomes: vec![],
            example: Example::success(
                Given::AuthorizedOrder,
                json!({"token": example::STAFF_TOKEN, "id": 1, "view": "summary"}),
                "Order 1.",
                example::order_summary(),
            ),
        }
        .order_views()
        .reading_order_with_session(),
        Simple {
            resource: "orders",
            action: "index",
            handler: Handler::new(orders::index),
            data: list::<OrderJson>,
            purpose: "Orders visible to the requester, newest first.",
            access: everyone(),
            params: paging().to_vec(),
            outcomes: vec![],
            example: Example::success(
                Given::AuthorizedOrder,
                json!({"token": example::STAFF_TOKEN, "view": "summary", "page": 1, "per_page": 25}),
                "1 orders.",
                json!([example::order_summary()]),
            ),
        }
        .order_views(),
        Simple {
            resource: "payments",
            action: "capture",
            handler: Handler::new(payments::capture),
            data: one::<OrderJson>,
            purpose: "Captures an authorized payment (our payment id).",
            access: Access::Roles(vec![Role::Employee]),
            params: vec![id_param(2, "The payment id.")],
            outcomes: {
                let mut v = processor();
                v.push(AuthorizationExpired);
                v
            },
            example: Example::success(
                Given::AuthorizedOrder,
                json!({"token": example::STAFF_TOKEN, "id": 1}),
                "Payment of order 1 captured.",
                example::order("submitted", "authorization", "captured"),
            ),
        }
        .route(),
        Simple {
            resource: "payments",
            action: "void",
            handler: Handler::new(payments::void),
            data: one::<OrderJson>,
            purpose: "Voids an authorized payment; the order becomes cancelled. A client may void its own order's hold before any appointment is confirmed.",
            access: client_employee(),
            params: vec![id_param(2, "The payment id.")],
            outcomes: {
                let mut v = processor();
                v.push(OrderNotCancelable);
                v
            },
            example: Example::success(
                Given::AuthorizedOrder,
                json!({"token": example::STAFF_TOKEN, "id": 1}),
                "Payment voided; order 1 is cancelled.",
                example::order("cancelled", "authorization", "voided"),
            ),
        }
        .route(),
        Simple {
            resource: "notifications",
            action: "index",
            handler: Handler::new(notifications::notifications),
            data: list::<NotificationJson>,
            purpose: "The staff notifications list, newest first.",
            access: Access::Roles(vec![Role::Employee]),
            params: paging().to_vec(),
            outcomes: vec![],
            example: Example::success(
                Given::FailedConfirmation,
                json!({"token": example::STAFF_TOKEN, "page": 1, "per_page": 25}),
                "1 notifications.",
                json!([{
                    "id": 1,
                    "kind": "mandrill-email-failed",
                    "severity": "warning",
                    "message": "The confirmation e-mail of order 1 could not be sent.",
                    "context": {"order_id": 1, "error": "Invalid_Key", "will_retry": false},
                    "created_at": example::instant("05-20T10:00:00Z"),
                    "resolved_at": null
                }]),
            ),
        }
        .route(),
        Simple {
            resource: "webhooks",
            action: "create",
            handler: Handler::new(webhooks::create),
            data: one::<WebhookEndpointJson>,
            purpose: "Adds a webhook endpoint; the answer carries its signing secret, shown this once (docs/webhooks.md).",
            access: Access::Roles(vec![Role::Employee]),
            params: vec![
                ParamDef::new(
                    "url",
                    T::String,
                    2,
                    "Where events are POSTed: http:// or https://, at most 2000 characters.",
                )
                .max_len(2000)
                .required(),
                ParamDef::new(
                    "events",
                    T::String,
                    3,
                    "Comma-separated event kinds the endpoint receives (order.submitted, order.payment_failed, order.cancelled, payment.authorized, payment.captured, payment.voided, email.failed, payment.authorization_expiring). Default: every kind.",
                )
                .max_len(1000),
            ],
            outcomes: vec![],
            example: Example::success(
                Given::DemoData,
                json!({"token": example::STAFF_TOKEN, "url": "https://hooks.example.com/ordercore", "events": "order.submitted,payment.captured"}),
                "Webhook endpoint 1 created; its secret is shown this once.",
                example::webhook_endpoint(true),
            ),
        }
        .route(),
        Simple {
            resource: "webhooks",
            action: "index",
            handler: Handler::new(webhooks::index),
            data: list::<WebhookEndpointJson>,
            purpose: "The webhook endpoints, oldest first (never their secrets).",
            access: Access::Roles(vec![Role::Employee]),
            params: vec![],
            outcomes: vec![],
            example: Example::success(
                Given::WebhookEndpoint,
                json!({"token": example::STAFF_TOKEN}),
                "1 webhook endpoints.",
                json!([example::webhook_endpoint(false)]),
            ),
        }
        .route(),
        Simple {
            resource: "webhooks",
            action: "destroy",
            handler: Handler::new(webhooks::destroy),
            data: one::<()>,
            purpose: "Removes a webhook endpoint: nothing more is delivered to it.",
            access: Access::Roles(vec![Role::Employee]),
            params: vec![id_param(2, "The endpoint id.")],
            outcomes: vec![],
            example: Example::success(
                Given::WebhookEndpoint,
                json!({"token": example::STAFF_TOKEN, "id": 1}),
                "Webhook endpoint 1 removed.",
                json!(null),
            ),
        }
        .route(),
        Simple {
            resource: "events",
            action: "index",
            handler: Handler::new(events::index),
            data: list::<EventJson>,
            purpose: "The pull feed: events with an id above `after`, oldest first (docs/webhooks.md).",
            access: Access::Roles(vec![Role::Employee]),
            params: vec![
                ParamDef::new(
                    "after",
                    T::Integer,
                    2,
                    "The last event id already read; default 0 (from the first event).",
                )
                .range(Some(0), None),
                ParamDef::new(
                    "per_page",
                    T::Integer,
                    3,
                    "Events per page, at most 100. Default 25.",
                )
                .range(Some(1), Some(100)),
            ],
            outcomes: vec![],
            example: Example::success(
                Given::AuthorizedOrder,
                json!({"token": example::STAFF_TOKEN, "after": 1, "per_page": 25}),
                "1 events.",
                json!([example::payment_event()]),
            ),
        }
        .route(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_has_the_common_params_and_a_default_view() {
        assert_eq!(ROUTES.len(), 19);
        for r in ROUTES.iter() {
            assert!(r.param("application").is_some(), "{}", r.path());
            assert!(r.param("session_view").is_some(), "{}", r.path());
            assert_eq!(r.views[0], "default", "{}", r.path());
            assert_eq!(
                r.param("view").map(|v| v.values.clone()),
                Some(r.views.clone())
            );
            let token = r.param("token");
            match r.access {
                Access::Public => assert!(token.is_none_or(|t| !t.required)),
                _ => assert!(token.is_some_and(|t| t.required && t.ordinal == 100)),
            }
        }
        let services: Vec<_> = ROUTES.iter().map(|r| r.service).collect();
        for s in [
            "orders",
            "sessions",
            "users",
            "payment_methods",
            "services",
            "promotions",
            "payments",
            "notifications",
            "webhooks",
            "events",
        ] {
            assert!(services.contains(&s), "{s}");
        }
    }

    #[test]
    fn sensitive_routes_take_text_plain() {
        let sensitive: Vec<_> = ROUTES
            .iter()
            .filter(|r| r.sensitive)
            .map(|r| r.path())
            .collect();
        assert_eq!(
            sensitive,
            [
                "sessions/create",
                "users/client_register",
                "payment_methods/create"
            ]
        );
        assert_eq!(
            find("sessions", "create").map(|r| r.content_type()),
            Some("text/plain")
        );
    }
}
