//! orders/authorize_and_submit, orders/pay_and_submit, orders/read,
//! orders/index.

use super::{ApiRequest, Paging};
use crate::envelope::{ApiError, Success};
use crate::errors::{self, crash};
use crate::json_params::FieldErrors;
use crate::state::AppState;
use crate::views::{self, OrderView};
use ordercore_domain::model::{ClientId, OrderId, PaymentMethodId, ServiceId};
use ordercore_domain::usecases::{OrderRequest, PaymentMode, ReadOrder};
use serde::Deserialize;
use serde_json::Value;

mod check;
pub use check::check_submission;

/// `{ "id": integer }`: a reference to a record.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct IdRef {
    pub id: i64,
}

/// One of `add_on_services`.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct AddOnRef {
    pub id: i64,
    pub quantity: Option<i64>,
}

/// The client and services of an order (`promotions/validate`'s `order`).
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct OrderServices {
    pub client: Option<IdRef>,
    pub primary_service: IdRef,
    pub add_on_services: Option<Vec<AddOnRef>>,
}

/// The `order` of the submitting routes.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct OrderParams {
    pub client: Option<IdRef>,
    pub primary_service: IdRef,
    pub add_on_services: Option<Vec<AddOnRef>>,
    #[serde(flatten)]
    pub json: OrderJsonParams,
}

/// The `json` fields of `order`, as received. Step 8 reads them through
/// this struct from a body that may still be invalid elsewhere (a field
/// that is absent is `None`, one that is `null` is `Some(Null)`), and the
/// handler from the validated params.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct OrderJsonParams {
    #[serde(default, deserialize_with = "present")]
    pub property_info: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    pub property_access: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    pub appointments: Option<Value>,
}

/// A field that is given, whatever its value (`null` included).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

impl OrderJsonParams {
    pub(crate) fn fields(&self) -> [Option<&Value>; 3] {
        [
            self.property_info.as_ref(),
            self.property_access.as_ref(),
            self.appointments.as_ref(),
        ]
    }
}

/// orders/authorize_and_submit, orders/pay_and_submit.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct SubmitParams {
    pub view: Option<String>,
    pub payment_method_id: Option<i64>,
    pub promotion_code: Option<String>,
    pub order: OrderParams,
}

/// orders/read.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct ReadParams {
    pub view: Option<String>,
    pub id: i64,
}

/// orders/index.
#[derive(Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct IndexParams {
    pub view: Option<String>,
    #[serde(flatten)]
    pub paging: Paging,
}

/// The `view` param of an order route (`default` when absent).
fn view(view: Option<&str>) -> OrderView {
    view.and_then(OrderView::parse)
        .unwrap_or(OrderView::Default)
}

/// `(primary, [(add-on, quantity)])` of an order.
pub fn service_ids(
    primary_service: &IdRef,
    add_on_services: Option<&[AddOnRef]>,
) -> (ServiceId, Vec<(ServiceId, u32)>) {
    let add_ons = add_on_services
        .map(|items| {
            items
                .iter()
                .filter_map(|a| {
                    let quantity = a.quantity.unwrap_or(1);
                    Some((ServiceId(a.id), u32::try_from(quantity).ok()?))
                })
                .collect()
        })
        .unwrap_or_default();
    (ServiceId(primary_service.id), add_ons)
}

/// `order.client.id`, when given.
pub fn client_id(client: Option<&IdRef>) -> Option<ClientId> {
    client.map(|c| ClientId(c.id))
}

/// orders/authorize_and_submit: an authorization hold on the card.
pub async fn authorize_and_submit(
    state: &AppState,
    req: &ApiRequest,
    p: SubmitParams,
) -> Result<Success, ApiError> {
    submit(state, req, p, PaymentMode::Authorize).await
}

/// orders/pay_and_submit: the card is charged at once.
pub async fn pay_and_submit(
    state: &AppState,
    req: &ApiRequest,
    p: SubmitParams,
) -> Result<Success, ApiError> {
    submit(state, req, p, PaymentMode::Charge).await
}

async fn submit(
    state: &AppState,
    req: &ApiRequest,
    p: SubmitParams,
    mode: PaymentMode,
) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let order = &p.order;
    let mut errs = FieldErrors::default();
    let parsed = check::parse_order_json(order.json.fields(), req.now, &mut errs);
    let (primary, add_ons) = service_ids(&order.primary_service, order.add_on_services.as_deref());
    let Some((info, access, appointments)) = parsed else {
        return Err(ApiError::from_field_errors(errs));
    };
    let request = OrderRequest {
        client_id: client_id(order.client.as_ref()),
        primary_service_id: primary,
        add_ons,
        property_info: info,
        property_access: access,
        appointments,
        payment_method_id: p.payment_method_id.map(PaymentMethodId),
        promotion_code: p.promotion_code,
        idempotency: req.idempotency.clone(),
    };
    let view = view(p.view.as_deref());
    let placed = state
        .usecases
        .submit_order
        .run(mode, actor, request)
        .await
        .map_err(|e| errors::submit_order(e, view))?;
    Ok(Success::new(
        format!("Order {} submitted.", placed.id),
        views::order(&placed, view),
    ))
}

/// orders/read.
pub async fn read(state: &AppState, req: &ApiRequest, p: ReadParams) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let id = OrderId(p.id);
    let found = match &req.order_read {
        // Read with the session in step 5: one look-up for both.
        Some(read) if read.id == id => ReadOrder::visible(actor, read.order.clone()),
        _ => state.usecases.read_order.run(actor, id).await,
    };
    let order = found.map_err(errors::order_lookup)?;
    Ok(Success::new(
        format!("Order {}.", order.id),
        views::order(&order, view(p.view.as_deref())),
    ))
}

/// orders/index.
pub async fn index(
    state: &AppState,
    req: &ApiRequest,
    p: IndexParams,
) -> Result<Success, ApiError> {
    let actor = req.actor()?;
    let orders = state
        .usecases
        .list_orders
        .run(actor, p.paging.page())
        .await
        .map_err(|u| crash(&u))?;
    let view = view(p.view.as_deref());
    let data: Vec<Value> = orders.iter().map(|o| views::order(o, view)).collect();
    Ok(Success::new(
        format!("{} orders.", data.len()),
        Value::Array(data),
    ))
}
