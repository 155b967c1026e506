//! A submission's client, card and promotion, read in one statement.

use super::identity::{CLIENT_COLUMNS, ClientRow, client_from_row};
use super::payment_methods::{PAYMENT_METHOD_COLUMNS, PaymentMethodRow, payment_method_from_row};
use super::promotions::{PROMOTION_COLUMNS, PromotionRow, count_uses, promotion_from_row};
use crate::Store;
use crate::db::on_backend;
use crate::schema::{clients, payment_methods, promotion_redemptions, promotions, users};
use async_trait::async_trait;
use diesel::prelude::*;
use ordercore_domain::StoreError;
use ordercore_domain::model::{ClientId, PaymentMethodId};
use ordercore_domain::ports::{SubmissionContext, SubmissionReads};

#[async_trait]
impl SubmissionReads for Store {
    async fn submission_context(
        &self,
        client: ClientId,
        method: Option<PaymentMethodId>,
        promotion_code: Option<String>,
    ) -> Result<SubmissionContext, StoreError> {
        let method = method.map(|m| m.0);
        self.read(move |c| {
            // The client with its e-mail; beside it (left joins, at most one
            // row each) the requested card, the promotion with the code and
            // this client's redemption of it (UNIQUE per client).
            let query = clients::table
                .inner_join(users::table)
                .left_join(payment_methods::table.on(payment_methods::id.nullable().eq(method)))
                .left_join(
                    promotions::table.on(promotions::code.nullable().eq(promotion_code.clone())),
                )
                .left_join(
                    promotion_redemptions::table.on(promotion_redemptions::promotion_id
                        .eq(promotions::id)
                        .and(promotion_redemptions::client_id.eq(clients::id))),
                )
                .filter(clients::id.eq(client.0))
                .select((
                    CLIENT_COLUMNS,
                    users::email,
                    PAYMENT_METHOD_COLUMNS.nullable(),
                    PROMOTION_COLUMNS.nullable(),
                    promotion_redemptions::id.nullable(),
                ));
            type Loaded = (
                ClientRow,
                String,
                Option<PaymentMethodRow>,
                Option<PromotionRow>,
                Option<i64>,
            );
            let Some((client, email, method, promotion, redeemed)) =
                on_backend!(c, |b| query.first::<Loaded>(b).optional())?
            else {
                return Ok(SubmissionContext::default());
            };
            let promotion = match promotion {
                // The uses count only against a cap: one more statement for
                // a capped promotion (the cap is enforced again, under a
                // lock, when the redemption is recorded).
                Some(row) => {
                    let uses = match row.max_redemptions {
                        Some(_) => count_uses(c, row.id)?,
                        None => 0,
                    };
                    Some((promotion_from_row(row, uses)?, redeemed.is_some()))
                }
                None => None,
            };
            Ok(SubmissionContext {
                client: Some(client_from_row(client, email)?),
                method: method.map(payment_method_from_row).transpose()?,
                promotion,
            })
        })
        .await
    }
}
