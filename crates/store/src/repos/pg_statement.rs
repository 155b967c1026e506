//! A hand-written PostgreSQL statement that Diesel prepares once per
//! connection and then reuses by name. `diesel::sql_query` and Diesel's
//! `UPDATE`s are never cached: each execution sends its text to be parsed
//! and planned again (still one round trip). The statement's text is
//! constant; Diesel caches it by its text and bind types.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Nullable, Text, Untyped};
use diesel::{PgConnection, QueryResult, RunQueryDsl};

/// One bind value, typed as the column it is compared with or written to.
pub(crate) enum Bind<'a> {
    Int(i64),
    Text(&'a str),
    OptInt(Option<i64>),
    OptText(Option<&'a str>),
}

/// `sql` with `$n` placeholders (1-based, each may appear more than once)
/// and the value of each.
pub(crate) struct PgStatement<'a> {
    pub(crate) sql: &'static str,
    pub(crate) binds: Vec<Bind<'a>>,
}

impl QueryId for PgStatement<'_> {
    type QueryId = ();
    // Cached by its text (`StatementCacheKey::Sql`), not by type.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for PgStatement<'_> {
    type SqlType = Untyped;
}

impl RunQueryDsl<PgConnection> for PgStatement<'_> {}

impl QueryFragment<Pg> for PgStatement<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        // Each `$n` becomes the next bind parameter, bound to value n.
        let mut rest = self.sql;
        while let Some(at) = rest.find('$') {
            out.push_sql(&rest[..at]);
            let digits = rest[at + 1..]
                .find(|c: char| !c.is_ascii_digit())
                .map_or(rest.len() - at - 1, |n| n);
            let n: usize = rest[at + 1..at + 1 + digits].parse().map_err(|_| {
                diesel::result::Error::QueryBuilderError("a `$` without its number".into())
            })?;
            let bind = self.binds.get(n.wrapping_sub(1)).ok_or_else(|| {
                diesel::result::Error::QueryBuilderError(format!("no value for ${n}").into())
            })?;
            match bind {
                Bind::Int(v) => out.push_bind_param::<BigInt, _>(v)?,
                Bind::Text(v) => out.push_bind_param::<Text, _>(*v)?,
                Bind::OptInt(v) => out.push_bind_param::<Nullable<BigInt>, _>(v)?,
                Bind::OptText(v) => out.push_bind_param::<Nullable<Text>, _>(v)?,
            }
            rest = &rest[at + 1 + digits..];
        }
        out.push_sql(rest);
        Ok(())
    }
}
