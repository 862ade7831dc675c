//! A `meta` filter in SQLite's JSON functions: one test per top-level
//! member, with the key and the value as bound parameters.

use std::fmt::Write;

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Double, Text};
use diesel::sqlite::Sqlite;
use serde_json::Value;

use crate::schema::agent_session;

/// The largest u64, as text: the longest integer that JSON parsers (serde_json
/// among them) still read as an integer rather than a double.
const U64_MAX: &str = "18446744073709551615";

/// Whether the session's `meta` has the top-level member `key` equal to the
/// scalar `value`, as the store contract's reference compares them: strings and
/// literals exactly, a string never equal to a number, numbers by value
/// (`512` = `512.0`) with two integers compared exactly whatever their size,
/// an absent key never equal to anything (not even null). When a key occurs
/// more than once, its last value counts, as for serde_json and jsonb.
///
/// `json_each` yields each member's `type` and its SQL value (`atom`); the key
/// and value are bound parameters, never spliced into the SQL.
pub(super) fn member_equals(key: &str, value: &Value) -> MetaTest {
    // `m` is the member named `key`, the last one of that name.
    let member = || {
        sql::<Bool>("EXISTS (SELECT 1 FROM json_each(agent_session.meta) AS m WHERE m.key = ")
            .bind::<Text, _>(key.to_owned())
            .sql(
                " AND NOT EXISTS (SELECT 1 FROM json_each(agent_session.meta) AS later \
                 WHERE later.key = m.key AND later.id > m.id) AND ",
            )
    };
    match value {
        Value::String(text) => Box::new(
            member()
                .sql("m.type = 'text' AND m.atom = ")
                .bind::<Text, _>(text.clone())
                .sql(")"),
        ),
        Value::Bool(true) => Box::new(member().sql("m.type = 'true')")),
        Value::Bool(false) => Box::new(member().sql("m.type = 'false')")),
        Value::Null => Box::new(member().sql("m.type = 'null')")),
        Value::Number(number) => {
            if let Some(integer) = number.as_i64() {
                // Equal to an integer SQLite holds as one when exactly equal;
                // to a double when equal as doubles. Never to a positive
                // integer beyond i64 (SQLite holds its double; JSON parsers an
                // unsigned integer); a negative one they read as a double.
                Box::new(
                    member()
                        .sql(
                            "m.type IN ('integer', 'real') AND CASE \
                             WHEN typeof(m.atom) = 'integer' THEN m.atom = ",
                        )
                        .bind::<BigInt, _>(integer)
                        .sql(" WHEN m.type = 'integer' AND m.atom > 0 THEN 0 ELSE m.atom = CAST(")
                        .bind::<BigInt, _>(integer)
                        .sql(" AS REAL) END)"),
                )
            } else if let Some(integer) = number.as_u64() {
                // Beyond i64: never equal to an integer SQLite holds as one;
                // to an integer up to u64::MAX when exactly equal, which only
                // its text (`->`) tells, as SQLite holds a double for it; to
                // any other number when equal as doubles.
                let double = integer as f64;
                Box::new(
                    member()
                        .sql(
                            "m.type IN ('integer', 'real') AND CASE \
                             WHEN typeof(m.atom) = 'integer' THEN 0 \
                             WHEN m.type = 'integer' AND m.atom > 0 THEN (SELECT CASE \
                             WHEN length(raw) < 20 OR (length(raw) = 20 AND raw <= ",
                        )
                        .bind::<Text, _>(U64_MAX)
                        .sql(") THEN raw = ")
                        .bind::<Text, _>(integer.to_string())
                        .sql(" ELSE m.atom = ")
                        .bind::<Double, _>(double)
                        .sql(" END FROM (SELECT agent_session.meta -> ")
                        .bind::<Text, _>(member_path(key))
                        .sql(" AS raw)) ELSE m.atom = ")
                        .bind::<Double, _>(double)
                        .sql(" END)"),
                )
            } else if let Some(double) = number.as_f64() {
                // A fraction or an exponent: equal to any number equal as doubles.
                Box::new(
                    member()
                        .sql("m.type IN ('integer', 'real') AND CAST(m.atom AS REAL) = ")
                        .bind::<Double, _>(double)
                        .sql(")"),
                )
            } else {
                Box::new(sql::<Bool>("0"))
            }
        }
        // A meta filter holds scalars only; a composite matches nothing.
        Value::Array(_) | Value::Object(_) => Box::new(sql::<Bool>("0")),
    }
}

/// One member test of a meta filter, as a boxed SQL condition.
pub(super) type MetaTest = Box<dyn BoxableExpression<agent_session::table, Sqlite, SqlType = Bool>>;

/// The JSON path SQLite's `->` reads the top-level member `key` with:
/// `$."key"`, with `"`, `\` and control characters as `\uXXXX` escapes (SQLite
/// decodes them when it compares the label with the keys).
fn member_path(key: &str) -> String {
    let mut path = String::with_capacity(key.len() + 4);
    path.push_str("$.\"");
    for ch in key.chars() {
        match ch {
            '"' | '\\' | '\u{0}'..='\u{1f}' => {
                let _ = write!(path, "\\u{:04x}", u32::from(ch));
            }
            _ => path.push(ch),
        }
    }
    path.push('"');
    path
}
