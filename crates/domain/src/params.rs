//! The optional parameters of a listing (beyond the original UASAM API),
//! parsed and checked. An empty value counts as absent.

use chrono::DateTime;

use crate::query::{MetaFilter, Order, SessionFilter};
use crate::session::Timestamp;

/// The largest page a client may ask for.
pub const MAX_LIMIT: usize = 1000;

/// The extension parameters as the caller sent them: raw text, unchecked
/// (`None`: absent). The HTTP layer fills them; [`ListParams::parse`]
/// checks them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawListParams {
    pub limit: Option<String>,
    pub cursor: Option<String>,
    pub order: Option<String>,
    pub created_after: Option<String>,
    pub created_before: Option<String>,
    pub meta: Option<String>,
    pub include_total: Option<String>,
}

/// An extension parameter that is malformed; clients see `invalid_<name>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvalidParam {
    Limit,
    Cursor,
    Order,
    CreatedAfter,
    CreatedBefore,
    Meta,
    IncludeTotal,
}

impl InvalidParam {
    /// The parameter's name, as in the query string.
    pub fn name(self) -> &'static str {
        match self {
            Self::Limit => "limit",
            Self::Cursor => "cursor",
            Self::Order => "order",
            Self::CreatedAfter => "created_after",
            Self::CreatedBefore => "created_before",
            Self::Meta => "meta",
            Self::IncludeTotal => "include_total",
        }
    }
}

/// What besides its query shapes a listing's answer: a page or the whole
/// list, the cursor it continues from, the total or not. Checked values,
/// which the entity tags hash with the query ([`crate::etag`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    /// A page of at most this many sessions; `None`: the whole list.
    pub limit: Option<usize>,
    /// The opaque cursor, still to be opened against the query it claims.
    pub cursor: Option<String>,
    /// Whether the answer carries the total count.
    pub include_total: bool,
}

/// The extension parameters, checked: which sessions in which order (the
/// query's part, `order` and `filter`), and the answer's [`Shape`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListParams {
    pub order: Order,
    pub filter: SessionFilter,
    pub shape: Shape,
}

impl ListParams {
    /// Checks every parameter, in the order of `InvalidParam`.
    pub fn parse(raw: &RawListParams) -> Result<Self, InvalidParam> {
        let present =
            |v: &Option<String>| v.as_deref().filter(|v| !v.is_empty()).map(str::to_owned);
        let limit = present(&raw.limit)
            .map(|v| match v.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
                _ => Err(InvalidParam::Limit),
            })
            .transpose()?;
        let cursor = present(&raw.cursor);
        if cursor.as_ref().is_some_and(|c| c.len() > 256) {
            return Err(InvalidParam::Cursor);
        }
        let order = match present(&raw.order).as_deref() {
            None | Some("desc") => Order::Desc,
            Some("asc") => Order::Asc,
            Some(_) => return Err(InvalidParam::Order),
        };
        // Stored times have microseconds: a finer bound is moved to the
        // microsecond that keeps the same sessions (down for "after", up for
        // "before").
        let created_after = present(&raw.created_after)
            .map(|v| timestamp(&v, false).ok_or(InvalidParam::CreatedAfter))
            .transpose()?;
        let created_before = present(&raw.created_before)
            .map(|v| timestamp(&v, true).ok_or(InvalidParam::CreatedBefore))
            .transpose()?;
        let meta = match present(&raw.meta) {
            None => MetaFilter::default(),
            Some(v) => MetaFilter::parse(&v).ok_or(InvalidParam::Meta)?,
        };
        let include_total = match present(&raw.include_total).as_deref() {
            None | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(_) => return Err(InvalidParam::IncludeTotal),
        };
        Ok(Self {
            order,
            filter: SessionFilter {
                created_after,
                created_before,
                meta,
            },
            shape: Shape {
                limit,
                cursor,
                include_total,
            },
        })
    }
}

/// RFC 3339 with any offset.
fn timestamp(text: &str, round_up: bool) -> Option<Timestamp> {
    let at = DateTime::parse_from_rfc3339(text).ok()?.to_utc();
    let truncated = Timestamp::new(at);
    if round_up && at.timestamp_subsec_nanos() % 1000 != 0 {
        Timestamp::from_micros(truncated.as_micros().checked_add(1)?)
    } else {
        Some(truncated)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &str) -> Option<String> {
        Some(value.to_owned())
    }

    fn parse(f: impl FnOnce(&mut RawListParams)) -> Result<ListParams, InvalidParam> {
        let mut raw = RawListParams::default();
        f(&mut raw);
        ListParams::parse(&raw)
    }

    #[test]
    fn no_parameter_means_the_whole_list_newest_first() {
        assert_eq!(parse(|_| {}), Ok(ListParams::default()));
    }

    #[test]
    fn limit_is_an_integer_from_1_to_1000_never_clamped() {
        assert_eq!(
            parse(|r| r.limit = text("1")).map(|p| p.shape.limit),
            Ok(Some(1))
        );
        assert_eq!(
            parse(|r| r.limit = text("1000")).map(|p| p.shape.limit),
            Ok(Some(1000))
        );
        for bad in [
            "0",
            "1001",
            "-1",
            "ten",
            "1.5",
            " 5",
            "99999999999999999999999",
        ] {
            assert_eq!(
                parse(|r| r.limit = text(bad)),
                Err(InvalidParam::Limit),
                "{bad}"
            );
        }
    }

    #[test]
    fn order_is_desc_or_asc() {
        assert_eq!(
            parse(|r| r.order = text("asc")).map(|p| p.order),
            Ok(Order::Asc)
        );
        assert_eq!(parse(|r| r.order = text("DESC")), Err(InvalidParam::Order));
    }

    #[test]
    fn times_are_rfc3339_with_any_offset() {
        let p = parse(|r| {
            r.created_after = text("2026-04-16T16:30:00+02:00");
            r.created_before = text("2026-04-16 14:30:00.5+00:00");
        })
        .expect("valid");
        assert_eq!(
            p.filter.created_after.map(|t| t.to_string()).as_deref(),
            Some("2026-04-16T14:30:00.000000+00:00")
        );
        assert_eq!(
            p.filter.created_before.map(|t| t.to_string()).as_deref(),
            Some("2026-04-16T14:30:00.500000+00:00")
        );
        assert_eq!(
            parse(|r| r.created_after = text("2026-04-16")),
            Err(InvalidParam::CreatedAfter)
        );
        assert_eq!(
            parse(|r| r.created_before = text("yesterday")),
            Err(InvalidParam::CreatedBefore)
        );
    }

    #[test]
    fn meta_is_an_object_of_scalars() {
        assert!(
            parse(|r| r.meta = text(r#"{"task":"summarize","n":512,"ok":true,"x":null}"#)).is_ok()
        );
        for bad in [
            r#"{"a":[1]}"#,
            r#"{"a":{"b":1}}"#,
            "[1]",
            "1",
            "{",
            "task=summarize",
        ] {
            assert_eq!(
                parse(|r| r.meta = text(bad)),
                Err(InvalidParam::Meta),
                "{bad}"
            );
        }
    }

    #[test]
    fn include_total_is_a_boolean() {
        assert_eq!(
            parse(|r| r.include_total = text("true")).map(|p| p.shape.include_total),
            Ok(true)
        );
        assert_eq!(
            parse(|r| r.include_total = text("yes")),
            Err(InvalidParam::IncludeTotal)
        );
    }

    #[test]
    fn the_first_malformed_parameter_is_the_one_reported() {
        let answer = parse(|r| {
            r.limit = text("0");
            r.order = text("sideways");
        });
        assert_eq!(answer, Err(InvalidParam::Limit));
    }
}
