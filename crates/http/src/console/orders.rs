//! Orders: search by id, client e-mail or status; one order with its lines,
//! payment, e-mail deliveries and notifications; capture and void through
//! the use cases of `payments/capture` and `payments/void`.

use super::notifications::of_order;
use super::pages::{Frame, Problem, crash, notice, redirect, refused, render, when};
use super::session::{Staff, staff, staff_posting};
use super::{Reply, State, reply};
use crate::errors;
use crate::state::AppState;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use minijinja::context;
use minijinja::value::Serde;
use ordercore_domain::model::{Email, Order, OrderId, OrderStatus, PaymentStatus};
use ordercore_domain::ports::OrderQuery;
use ordercore_domain::rules::orders::Actor;
use ordercore_domain::usecases::OrderLookupError;
use serde::{Deserialize, Serialize};

/// The most orders a search shows.
const SEARCH_LIMIT: u32 = 50;

const STATUSES: [OrderStatus; 4] = [
    OrderStatus::PendingPayment,
    OrderStatus::Submitted,
    OrderStatus::PaymentFailed,
    OrderStatus::Cancelled,
];

#[derive(Debug, Default, Deserialize, Serialize)]
pub struct SearchQuery {
    #[serde(default)]
    id: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    status: String,
}

#[derive(Debug, Serialize)]
struct OrderRow {
    id: i64,
    created_at: String,
    client_name: String,
    client_email: String,
    status: &'static str,
    total: String,
    payment_status: &'static str,
}

fn row(o: &Order) -> OrderRow {
    OrderRow {
        id: o.id.0,
        created_at: when(o.created_at),
        client_name: o.client.name.clone(),
        client_email: o.client.email.as_str().to_string(),
        status: o.status.as_str(),
        total: o.pricing.total.to_string(),
        payment_status: o.payment.as_ref().map_or("none", |p| p.status.as_str()),
    }
}

/// The query as typed, or what is wrong with it.
fn parse(q: &SearchQuery) -> Result<OrderQuery, String> {
    let id = match q.id.trim() {
        "" => None,
        s => Some(OrderId(
            s.parse::<i64>()
                .map_err(|_| "An order id is a whole number.".to_string())?,
        )),
    };
    let client_email = match q.email.trim() {
        "" => None,
        s => Some(Email::parse(s).map_err(|_| "That is not an e-mail address.".to_string())?),
    };
    let status = match q.status.as_str() {
        "" => None,
        s => Some(OrderStatus::parse(s).ok_or_else(|| "Unknown order status.".to_string())?),
    };
    Ok(OrderQuery {
        id,
        client_email,
        status,
    })
}

/// `GET /console/orders`.
pub async fn search(req: HttpRequest, state: State, q: web::Query<SearchQuery>) -> HttpResponse {
    reply(search_page(&req, &state, q.into_inner()).await)
}

async fn search_page(req: &HttpRequest, state: &AppState, q: SearchQuery) -> Reply {
    let staff = staff(req, state).await?;
    let mut frame = Frame::of(&staff, "Orders", "orders");
    let (status, orders) = match parse(&q) {
        Ok(query) => {
            let found = state
                .usecases
                .search_orders
                .run(&query, SEARCH_LIMIT)
                .await
                .map_err(|e| crash(&e))?;
            (StatusCode::OK, found.iter().map(row).collect())
        }
        Err(why) => {
            frame.problem = Some(Problem::text(why));
            (StatusCode::BAD_REQUEST, Vec::new())
        }
    };
    Ok(render(
        status,
        "console/orders.html",
        &frame,
        context! {
            orders => Serde(orders),
            query => Serde(q),
            limit => SEARCH_LIMIT,
            statuses => STATUSES.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    done: Option<String>,
}

/// `GET /console/orders/{id}`.
pub async fn show(
    req: HttpRequest,
    state: State,
    id: web::Path<i64>,
    q: web::Query<ShowQuery>,
) -> HttpResponse {
    reply(
        async {
            let staff = staff(&req, &state).await?;
            let mut frame = Frame::of(&staff, "", "orders");
            frame.notice = notice(q.done.as_deref());
            order_page(&state, &staff, OrderId(*id), frame, StatusCode::OK).await
        }
        .await,
    )
}

/// The page of order `id` in `frame`, answered with `status`.
async fn order_page(
    state: &AppState,
    staff: &Staff,
    id: OrderId,
    mut frame: Frame,
    status: StatusCode,
) -> Reply {
    let order = match state.usecases.read_order.run(&Actor::Employee, id).await {
        Ok(o) => o,
        Err(OrderLookupError::NotFound) => {
            return Err(refused(
                StatusCode::NOT_FOUND,
                "Not found",
                "There is no order with this id.",
                Some(staff),
            ));
        }
        Err(OrderLookupError::Unexpected(u)) => return Err(crash(&u)),
    };
    let deliveries = state
        .usecases
        .list_deliveries
        .run(order.id)
        .await
        .map_err(|e| crash(&e))?;
    let notifications = of_order(state, order.id).await?;
    frame.title = format!("Order {}", order.id);
    let lines: Vec<_> = std::iter::once(&order.primary_service)
        .chain(order.add_on_services.iter())
        .map(|l| context! { name => l.name.clone(), quantity => l.quantity, unit_price => l.unit_price.to_string() })
        .collect();
    let payment = order.payment.as_ref().map(|p| {
        context! {
            status => p.status.as_str(),
            kind => p.kind.as_str(),
            amount => p.amount.to_string(),
            brand => p.brand.as_str(),
            last4 => p.last4.clone(),
            transaction_id => p.transaction_id.clone(),
            open => p.status == PaymentStatus::Authorized,
        }
    });
    let deliveries: Vec<_> = deliveries
        .iter()
        .map(|d| {
            let state = if d.sent_at.is_some() {
                "sent"
            } else if d.failed_at.is_some() {
                "failed for good"
            } else {
                "waiting"
            };
            context! {
                recipient => d.recipient.as_str(),
                state,
                attempts => d.attempts,
                last_error => d.last_error.clone(),
                next_attempt_at => (d.sent_at.is_none() && d.failed_at.is_none()).then(|| when(d.next_attempt_at)),
            }
        })
        .collect();
    let back = format!("/console/orders/{}", order.id);
    Ok(render(
        status,
        "console/order.html",
        &frame,
        context! {
            order => context! {
                id => order.id.0,
                status => order.status.as_str(),
                client_name => order.client.name,
                client_email => order.client.email.as_str(),
                created_at => when(order.created_at),
                address => order.property_info.address.one_line(),
                promotion => order.promotion.as_ref().map(|p| format!("{} (−{})", p.code, p.discount)),
                lines,
                subtotal => order.pricing.subtotal.to_string(),
                discount => order.pricing.discount.to_string(),
                total => order.pricing.total.to_string(),
            },
            payment,
            deliveries,
            notifications,
            back,
        },
    ))
}

#[derive(Debug, Deserialize)]
pub struct ActForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /console/orders/{id}/{capture|void}`: the order's payment, through
/// the use cases of `payments/capture` and `payments/void`. A refusal shows
/// the order with the API's slug and message, answered with its HTTP code.
pub async fn act(
    req: HttpRequest,
    state: State,
    path: web::Path<(i64, String)>,
    form: web::Form<ActForm>,
) -> HttpResponse {
    let (id, action) = path.into_inner();
    reply(act_on(&req, &state, OrderId(id), &action, &form.csrf).await)
}

async fn act_on(
    req: &HttpRequest,
    state: &AppState,
    id: OrderId,
    action: &str,
    csrf: &str,
) -> Reply {
    let staff = staff_posting(req, state, csrf).await?;
    let capture = match action {
        "capture" => true,
        "void" => false,
        _ => {
            return Err(refused(
                StatusCode::NOT_FOUND,
                "Not found",
                "There is no such action on an order.",
                Some(&staff),
            ));
        }
    };
    let mut frame = Frame::of(&staff, "", "orders");
    let order = match state.usecases.read_order.run(&Actor::Employee, id).await {
        Ok(o) => o,
        Err(OrderLookupError::NotFound) => {
            return order_page(state, &staff, id, frame, StatusCode::NOT_FOUND).await;
        }
        Err(OrderLookupError::Unexpected(u)) => return Err(crash(&u)),
    };
    let Some(payment) = order.payment else {
        frame.problem = Some(Problem::text("This order has no payment."));
        return order_page(state, &staff, id, frame, StatusCode::CONFLICT).await;
    };
    let result = if capture {
        state
            .usecases
            .capture_payment
            .run(&Actor::Employee, payment.id)
            .await
    } else {
        state
            .usecases
            .void_payment
            .run(&Actor::Employee, payment.id)
            .await
    };
    match result {
        Ok(_) => {
            tracing::info!(
                order = id.0,
                payment = payment.id.0,
                user = staff.user.id.0,
                action,
                "payment action from the console"
            );
            let done = if capture { "captured" } else { "voided" };
            Ok(redirect(&format!("/console/orders/{id}?done={done}")))
        }
        Err(e) => {
            let e = errors::payment_action(e);
            let status = e.slug.http_status();
            frame.problem = Some(Problem::api(e.slug, e.message));
            order_page(state, &staff, id, frame, status).await
        }
    }
}
