//! Resolving an order request's references — its client and its services —
//! shared by order submission and promotion validation, which must agree on
//! what a request's client and lines are.

use crate::Unexpected;
use crate::model::{
    Client, ClientId, Field, FieldErrors, OrderLine, Service, ServiceId, ServiceKind,
};
use crate::ports::{CatalogRepository, ClientRepository};
use crate::rules::orders::{Actor, ClientChoiceError, order_client};
use std::collections::HashSet;

/// Resolves `order.client.id` for the actor. Unknown and not-permitted ids
/// get the same answer, so the existence of a client is not revealed.
pub(crate) async fn resolve_client(
    clients: &dyn ClientRepository,
    actor: &Actor,
    requested: Option<ClientId>,
    errs: &mut FieldErrors,
) -> Result<Option<Client>, Unexpected> {
    match client_choice(actor, requested, errs) {
        Some(id) => Ok(found_client(clients.find_client(id).await?, errs)),
        None => Ok(None),
    }
}

/// The id of the order's client for the actor; a refusal goes to `errs`.
pub(crate) fn client_choice(
    actor: &Actor,
    requested: Option<ClientId>,
    errs: &mut FieldErrors,
) -> Option<ClientId> {
    match order_client(actor, requested) {
        Ok(id) => Some(id),
        Err(ClientChoiceError::Required) => {
            errs.missing(Field::OrderClient);
            None
        }
        Err(e) => {
            errs.invalid(Field::OrderClient, e.to_string());
            None
        }
    }
}

/// The client a permitted id found; an unknown one is refused like a
/// not-permitted one, so the existence of a client is not revealed.
pub(crate) fn found_client(found: Option<Client>, errs: &mut FieldErrors) -> Option<Client> {
    if found.is_none() {
        errs.invalid(
            Field::OrderClient,
            ClientChoiceError::NotPermitted.to_string(),
        );
    }
    found
}

/// Resolves the primary and add-on services to priced lines: each must exist,
/// be active and of the right kind; an add-on id may appear once.
pub(crate) async fn resolve_lines(
    catalog: &dyn CatalogRepository,
    primary: ServiceId,
    add_ons: &[(ServiceId, u32)],
    errs: &mut FieldErrors,
) -> Result<Option<(OrderLine, Vec<OrderLine>)>, Unexpected> {
    let ids: Vec<ServiceId> = std::iter::once(primary)
        .chain(add_ons.iter().map(|a| a.0))
        .collect();
    let found = catalog.find_services(&ids).await?;
    let usable = |id: ServiceId, kind: ServiceKind| -> Option<&Service> {
        found
            .iter()
            .find(|s| s.id == id && s.active && s.kind == kind)
    };
    let line = |s: &Service, quantity: u32| OrderLine {
        service_id: s.id,
        slug: s.slug.clone(),
        name: s.name.clone(),
        quantity,
        unit_price: s.price,
    };
    let before = errs.0.len();
    let primary_line = match usable(primary, ServiceKind::Primary) {
        Some(s) => Some(line(s, 1)),
        None => {
            errs.invalid(
                Field::PrimaryService,
                "no active primary service with this id",
            );
            None
        }
    };
    let mut seen = HashSet::new();
    let mut lines = Vec::with_capacity(add_ons.len());
    for (i, (id, quantity)) in add_ons.iter().enumerate() {
        let path = Field::AddOn(i);
        if !seen.insert(*id) {
            errs.invalid(path, "this add-on service is listed twice");
        } else if let Some(s) = usable(*id, ServiceKind::AddOn) {
            lines.push(line(s, *quantity));
        } else {
            errs.invalid(path, "no active add-on service with this id");
        }
    }
    Ok(match primary_line {
        Some(p) if errs.0.len() == before => Some((p, lines)),
        _ => None,
    })
}
