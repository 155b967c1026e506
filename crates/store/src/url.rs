//! The database URL, parsed once: which backend, and where. Every component
//! that reads a database URL (the store, the server's configuration, the test
//! harnesses) goes through [`DatabaseUrl::parse`], so they accept and refuse
//! the same strings with the same messages.

use crate::db::Backend;
use std::fmt;

/// A database URL whose scheme named a backend: `postgres://…` or
/// `postgresql://…` (PostgreSQL; the URL is handed to libpq as is) or
/// `sqlite://PATH` (SQLite on `PATH`).
///
/// Neither `Display` nor `Debug` ever shows a password: they print the URL
/// with the password replaced by `***`. [`DatabaseUrl::expose`] is the only
/// way to the original string.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    backend: Backend,
    url: String,
}

/// Why a string is not a database URL. Messages never contain the URL (it may
/// carry a password), only its scheme.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatabaseUrlError {
    #[error("sqlite:// needs a file path, e.g. sqlite://ordercore.db")]
    MissingSqlitePath,
    #[error("a postgres:// URL needs a host, e.g. postgres://user@host/db")]
    MissingPostgresHost,
    #[error(
        "unreadable database URL (scheme {scheme}): use sqlite://PATH, postgres:// or postgresql://"
    )]
    UnsupportedScheme {
        /// The scheme as written (quoted), or `(none)`.
        scheme: String,
    },
}

const SQLITE: &str = "sqlite://";
const POSTGRES: [&str; 2] = ["postgres://", "postgresql://"];

impl DatabaseUrl {
    /// Reads `url`. Accepts `postgres://REST` and `postgresql://REST` with a
    /// non-empty REST, and `sqlite://PATH` with a non-blank PATH.
    pub fn parse(url: &str) -> Result<DatabaseUrl, DatabaseUrlError> {
        if let Some(rest) = POSTGRES.iter().find_map(|p| url.strip_prefix(p)) {
            if rest.is_empty() {
                return Err(DatabaseUrlError::MissingPostgresHost);
            }
            return Ok(DatabaseUrl {
                backend: Backend::Postgres,
                url: url.to_string(),
            });
        }
        if let Some(path) = url.strip_prefix(SQLITE) {
            if path.trim().is_empty() {
                return Err(DatabaseUrlError::MissingSqlitePath);
            }
            return Ok(DatabaseUrl {
                backend: Backend::Sqlite,
                url: url.to_string(),
            });
        }
        let scheme = url
            .split_once("://")
            .map_or("(none)".to_string(), |(s, _)| format!("{s:?}"));
        Err(DatabaseUrlError::UnsupportedScheme { scheme })
    }

    /// The URL of a SQLite database in the file `path`.
    pub fn sqlite(path: &std::path::Path) -> DatabaseUrl {
        DatabaseUrl {
            backend: Backend::Sqlite,
            url: format!("{SQLITE}{}", path.display()),
        }
    }

    /// The backend the scheme named.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The whole URL, password included: for the driver and for handing the
    /// URL on (e.g. to a child process), never for a log.
    pub fn expose(&self) -> &str {
        &self.url
    }

    /// What the backend's driver connects with: the URL for PostgreSQL, the
    /// file path for SQLite.
    pub fn connect_target(&self) -> &str {
        match self.backend {
            Backend::Postgres => &self.url,
            Backend::Sqlite => &self.url[SQLITE.len()..],
        }
    }

    /// The same PostgreSQL server with the database `name` instead (the
    /// query string is kept). `None` for SQLite.
    pub fn with_database(&self, name: &str) -> Option<DatabaseUrl> {
        if self.backend != Backend::Postgres {
            return None;
        }
        let (base, query) = match self.url.split_once('?') {
            Some((b, q)) => (b, format!("?{q}")),
            None => (self.url.as_str(), String::new()),
        };
        let authority_start = base.find("://").map_or(0, |i| i + 3);
        let path_start = base[authority_start..]
            .find('/')
            .map_or(base.len(), |i| authority_start + i);
        Some(DatabaseUrl {
            backend: Backend::Postgres,
            url: format!("{}/{}{}", &base[..path_start], name, query),
        })
    }

    /// The URL with the password (if any) replaced by `***`.
    fn redacted(&self) -> String {
        if self.backend == Backend::Sqlite {
            return self.url.clone();
        }
        let Some((scheme, rest)) = self.url.split_once("://") else {
            return self.url.clone();
        };
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        // The last '@' ends the credentials: a password may contain '@'.
        let authority = match authority.rsplit_once('@') {
            Some((credentials, host)) => match credentials.split_once(':') {
                Some((user, _)) => format!("{user}:***@{host}"),
                None => authority.to_string(),
            },
            None => authority.to_string(),
        };
        let redacted = format!("{scheme}://{authority}{tail}");
        // A password may also travel as a query parameter.
        match redacted.split_once('?') {
            Some((base, query)) => {
                let query: Vec<String> = query
                    .split('&')
                    .map(|kv| match kv.split_once('=') {
                        Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=***"),
                        _ => kv.to_string(),
                    })
                    .collect();
                format!("{base}?{}", query.join("&"))
            }
            None => redacted,
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseUrl")
            .field("backend", &self.backend)
            .field("url", &self.redacted())
            .finish()
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = DatabaseUrlError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DatabaseUrl::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> DatabaseUrl {
        DatabaseUrl::parse(s).unwrap()
    }

    #[test]
    fn schemes_pick_the_backend_and_the_driver_target() {
        let pg = parse("postgres://u@h/db");
        assert_eq!(pg.backend(), Backend::Postgres);
        assert_eq!(pg.connect_target(), "postgres://u@h/db");
        assert_eq!(parse("postgresql://h/db").backend(), Backend::Postgres);
        let lite = parse("sqlite://data/ordercore.db");
        assert_eq!(lite.backend(), Backend::Sqlite);
        assert_eq!(lite.connect_target(), "data/ordercore.db");
        assert_eq!(lite.expose(), "sqlite://data/ordercore.db");
        assert_eq!(
            DatabaseUrl::sqlite(std::path::Path::new("/tmp/x.db")).connect_target(),
            "/tmp/x.db"
        );
    }

    #[test]
    fn bad_urls_are_refused_without_echoing_them() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://"),
            Err(DatabaseUrlError::MissingSqlitePath)
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://  "),
            Err(DatabaseUrlError::MissingSqlitePath)
        );
        assert_eq!(
            DatabaseUrl::parse("postgres://"),
            Err(DatabaseUrlError::MissingPostgresHost)
        );
        let e = DatabaseUrl::parse("mysql://root:hunter2@db/x").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unreadable database URL (scheme \"mysql\"): use sqlite://PATH, postgres:// or postgresql://"
        );
        let e = DatabaseUrl::parse("hunter2").unwrap_err().to_string();
        assert!(
            e.contains("(scheme (none))") && !e.contains("hunter2"),
            "{e}"
        );
    }

    #[test]
    fn display_and_debug_never_show_a_password() {
        let url = parse("postgres://app:p@ss:w0rd@db.example:5432/ordercore?sslmode=require");
        assert_eq!(
            url.to_string(),
            "postgres://app:***@db.example:5432/ordercore?sslmode=require"
        );
        assert!(!format!("{url:?}").contains("w0rd"));
        let url = parse("postgresql://db/x?user=app&password=TopSecret");
        assert_eq!(url.to_string(), "postgresql://db/x?user=app&password=***");
        assert_eq!(
            parse("postgres://app@db/x").to_string(),
            "postgres://app@db/x"
        );
        assert!(url.expose().contains("TopSecret"));
    }

    #[test]
    fn with_database_replaces_only_the_database_name() {
        let name =
            |admin: &str, db: &str| parse(admin).with_database(db).unwrap().expose().to_string();
        assert_eq!(
            name("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            name("postgresql://u:p@h/db?sslmode=disable", "t2"),
            "postgresql://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(name("postgres://h:5432", "t3"), "postgres://h:5432/t3");
        assert!(parse("sqlite://x.db").with_database("t4").is_none());
    }
}
