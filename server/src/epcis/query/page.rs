//! `nextPageToken`: where the next page starts. Queries in record order resume after the
//! last event served (a cursor into the store's record-order index, so a page costs the
//! same wherever it is); ordered or identifier queries resume at an offset into their
//! sorted result. The token is plain text of digits, hex and dots, safe in a URL.

use trace_proto::event::EventTime;

use crate::store::{EventKey, RecordCursor};

/// Where the next page of a query starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageToken {
    /// After this event in record order, `served` events having been returned so far.
    After {
        /// The last event served.
        cursor: RecordCursor,
        /// Events served by the earlier pages (for `eventCountLimit`).
        served: usize,
    },
    /// At this position of the sorted result.
    Offset(usize),
}

impl PageToken {
    /// Reads a token written by [`to_text`](Self::to_text).
    pub fn parse(text: &str) -> Option<Self> {
        if let Some(offset) = text.strip_prefix('o') {
            return offset.parse().ok().map(Self::Offset);
        }
        let mut parts = text.strip_prefix('r')?.split('.');
        let recorded = EventTime::from_unix_millis(parts.next()?.parse().ok()?).ok()?;
        let key = EventKey::from_hex(parts.next()?)?;
        let served = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        Some(Self::After {
            cursor: RecordCursor { recorded, key },
            served,
        })
    }

    /// The token's text.
    pub fn to_text(&self) -> String {
        match self {
            Self::After { cursor, served } => format!(
                "r{}.{}.{served}",
                cursor.recorded.unix_millis(),
                cursor.key.to_hex()
            ),
            Self::Offset(offset) => format!("o{offset}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_read_back() {
        let cursor = RecordCursor {
            recorded: EventTime::from_unix_millis(-5).unwrap(),
            key: EventKey([0xab; 32]),
        };
        for token in [
            PageToken::Offset(30),
            PageToken::After { cursor, served: 60 },
        ] {
            assert_eq!(PageToken::parse(&token.to_text()), Some(token));
        }
        assert_eq!(PageToken::parse("r1.ab.3"), None);
        assert_eq!(PageToken::parse("x"), None);
    }
}
