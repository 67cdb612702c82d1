//! Data stage, SQL sources: the connection, and the rule that the URL is never shown.
//!
//! Input: a dataset's [`SqlQuery`] (the *name* of the environment variable). Output: a
//! connected client, or an error message from which the URL and its password are removed.

use postgres::{Client, NoTls};

use crate::project::model::SqlQuery;

/// Why a connection or a query failed, in words safe to print (no URL, no password).
pub struct SqlError {
    /// The message.
    pub message: String,
    /// What to do about it.
    pub hint: String,
}

/// Connects to the server named by the query's environment variable, with the session
/// settings every query relies on: UTC, ISO dates, shortest exact floats.
pub fn connect(query: &SqlQuery, dataset: &str) -> Result<Client, SqlError> {
    let Ok(url) = std::env::var(&query.env) else {
        return Err(SqlError {
            message: format!(
                "the environment variable `{}` (the URL of dataset `{dataset}`'s source) is not set",
                query.env
            ),
            hint: format!(
                "set it where cxscore runs, e.g. `export {}=postgres://user@host:5432/db`",
                query.env
            ),
        });
    };
    let fail = |e: postgres::Error, what: &str| {
        SqlError {
        message: format!(
            "cannot {what} the server of dataset `{dataset}` (URL from `{}`): {}",
            query.env,
            scrub(&e.to_string(), &url)
        ),
        hint: "check the URL, that the server is reachable, and the user's rights; the URL is never printed".to_string(),
    }
    };
    let mut client = Client::connect(&url, NoTls).map_err(|e| fail(e, "connect to"))?;
    client
        .batch_execute(
            "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3; SET client_encoding = 'UTF8'",
        )
        .map_err(|e| fail(e, "set up the session on"))?;
    Ok(client)
}

/// A server error while running the dataset's query, in safe words.
pub fn query_error(e: &postgres::Error, query: &SqlQuery, dataset: &str) -> SqlError {
    let url = std::env::var(&query.env).unwrap_or_default();
    let detail = e
        .as_db_error()
        .map_or_else(|| e.to_string(), |db| db.message().to_string());
    SqlError {
        message: format!(
            "the SQL query of dataset `{dataset}` failed on the server: {}",
            scrub(&detail, &url)
        ),
        hint: "run the query in a SQL client to see why; cxscore wraps it as `SELECT ... FROM (<sql>) AS cx_source GROUP BY ...`".to_string(),
    }
}

/// `message` without the URL and without its password, should a driver ever repeat them.
pub fn scrub(message: &str, url: &str) -> String {
    let mut out = message.to_string();
    if !url.is_empty() {
        out = out.replace(url, "<url>");
    }
    if let Some(password) = password_of(url) {
        out = out.replace(password, "***");
    }
    out
}

/// The password of a `postgres://user:password@host/db` URL or a `password=...` key.
fn password_of(url: &str) -> Option<&str> {
    if let Some(rest) = url.split_once("://").map(|(_, r)| r) {
        let userinfo = rest.split_once('@')?.0;
        let password = userinfo.split_once(':')?.1;
        return (!password.is_empty()).then_some(password);
    }
    let start = url.find("password=")? + "password=".len();
    let password = url[start..].split_whitespace().next()?;
    (!password.is_empty()).then_some(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubs_the_url_and_its_password() {
        let url = "postgres://cx:s3cret@db.internal:5432/warehouse";
        assert_eq!(
            scrub(&format!("bad {url} and s3cret"), url),
            "bad <url> and ***"
        );
        assert_eq!(
            scrub("password s3cret wrong", "host=x password=s3cret"),
            "password *** wrong"
        );
        assert_eq!(scrub("fine", "postgres://cx@db/w"), "fine");
    }
}
