//! Mandrill's JSON, as its `messages/send` API spells it.
//!
//! [`SendRequest`] carries the API key, so it deliberately has no `Debug`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The tag every order confirmation carries, for Mandrill's reports.
pub(crate) const ORDER_CONFIRMATION_TAG: &str = "order-confirmation";

/// `POST messages/send.json` body.
#[derive(Serialize)]
pub(crate) struct SendRequest<'a> {
    pub key: &'a str,
    pub message: Message<'a>,
}

#[derive(Serialize)]
pub(crate) struct Message<'a> {
    pub html: &'a str,
    pub text: &'a str,
    pub subject: &'a str,
    pub from_email: &'a str,
    pub from_name: &'a str,
    pub to: Vec<Recipient<'a>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<&'static str, &'a str>,
    pub tags: Vec<&'static str>,
    pub metadata: Metadata,
}

#[derive(Serialize)]
pub(crate) struct Recipient<'a> {
    pub email: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub name: &'a str,
    /// `to`, `cc` or `bcc`; we only send `to`.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// Stored by Mandrill with the message and searchable: lets support find the
/// e-mail of an order. Values are strings, as Mandrill indexes them.
#[derive(Serialize)]
pub(crate) struct Metadata {
    pub order_id: String,
}

/// One element of the array a `messages/send` call answers with.
#[derive(Debug, Deserialize)]
pub(crate) struct RecipientResult {
    pub status: String,
    #[serde(default)]
    pub reject_reason: Option<String>,
    #[serde(rename = "_id", default)]
    pub id: Option<String>,
}

/// Mandrill's error object: `{"status":"error","code":-1,"name":"Invalid_Key","message":"…"}`.
/// Only `status` and `name` are read; `message` is free text and is never
/// copied into our errors or logs.
#[derive(Debug, Deserialize)]
pub(crate) struct ErrorObject {
    pub status: String,
    pub name: String,
}

/// Either shape a reply body may take.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum ReplyBody {
    Recipients(Vec<RecipientResult>),
    Error(ErrorObject),
}
