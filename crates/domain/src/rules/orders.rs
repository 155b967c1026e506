//! Order rules: who may order for whom, who may see which order, and when a
//! card is needed (contract §6, §7); [`pricing`] computes the totals.

pub mod pricing;

use crate::model::{Billing, ClientId, Money};

/// Who a request acts as, after authentication and the application's role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A client acting for itself.
    Client(ClientId),
    /// Staff: may act for any client.
    Employee,
    /// Works for the listed clients only.
    Liaison(Vec<ClientId>),
}

impl Actor {
    /// Whether this actor may see or act on `client`'s orders and cards.
    pub fn may_act_for(&self, client: ClientId) -> bool {
        match self {
            Actor::Client(own) => *own == client,
            Actor::Employee => true,
            Actor::Liaison(clients) => clients.contains(&client),
        }
    }

    /// The client ids whose orders this actor sees; `None` = all.
    pub fn visible_clients(&self) -> Option<Vec<ClientId>> {
        match self {
            Actor::Client(own) => Some(vec![*own]),
            Actor::Employee => None,
            Actor::Liaison(clients) => Some(clients.clone()),
        }
    }
}

/// `order.client.id` names a client this actor may not order for (or, for
/// staff, is missing). Answered as `invalid-param` on `order.client.id`
/// without saying whether the client exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ClientChoiceError {
    #[error("order.client.id is required when ordering as staff")]
    Required,
    #[error("no client with this id that you may order for")]
    NotPermitted,
}

/// Decides whose order this is. A client orders for itself (`requested` may be
/// omitted or must be its own id); an employee for any client (id required);
/// a liaison for its assigned clients (id required).
pub fn order_client(
    actor: &Actor,
    requested: Option<ClientId>,
) -> Result<ClientId, ClientChoiceError> {
    match (actor, requested) {
        (Actor::Client(own), None) => Ok(*own),
        (_, None) => Err(ClientChoiceError::Required),
        (actor, Some(id)) if actor.may_act_for(id) => Ok(id),
        _ => Err(ClientChoiceError::NotPermitted),
    }
}

/// A card is charged only when there is something to pay and the client pays
/// by card.
pub fn payment_needed(total: Money, billing: Billing) -> bool {
    !total.is_zero() && billing == Billing::Card
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_orders_for_itself_only() {
        let a = Actor::Client(ClientId(1));
        assert_eq!(order_client(&a, None), Ok(ClientId(1)));
        assert_eq!(order_client(&a, Some(ClientId(1))), Ok(ClientId(1)));
        assert_eq!(
            order_client(&a, Some(ClientId(2))),
            Err(ClientChoiceError::NotPermitted)
        );
    }

    #[test]
    fn employee_for_anyone_with_an_id() {
        assert_eq!(
            order_client(&Actor::Employee, Some(ClientId(9))),
            Ok(ClientId(9))
        );
        assert_eq!(
            order_client(&Actor::Employee, None),
            Err(ClientChoiceError::Required)
        );
    }

    #[test]
    fn liaison_with_and_without_the_client() {
        let a = Actor::Liaison(vec![ClientId(3), ClientId(4)]);
        assert_eq!(order_client(&a, Some(ClientId(4))), Ok(ClientId(4)));
        assert_eq!(
            order_client(&a, Some(ClientId(5))),
            Err(ClientChoiceError::NotPermitted)
        );
        assert_eq!(order_client(&a, None), Err(ClientChoiceError::Required));
        assert_eq!(a.visible_clients(), Some(vec![ClientId(3), ClientId(4)]));
    }

    #[test]
    fn payment_needed_only_for_card_and_positive_total() {
        let m = |c| Money::from_cents(c).unwrap();
        assert!(payment_needed(m(1), Billing::Card));
        assert!(!payment_needed(m(0), Billing::Card));
        assert!(!payment_needed(m(100), Billing::Invoice));
    }
}
