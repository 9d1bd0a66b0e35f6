//! The JSON log line, with the OpenTelemetry ids of the span it was written in.
//!
//! `tracing-subscriber`'s JSON format knows tracing's span fields but not OpenTelemetry's
//! ids, so this wraps it: the line is formatted as usual, then `trace_id` and `span_id` are
//! added when the event happened inside a recorded span. A log search for one trace id then
//! finds every line of one request, across services.

use std::fmt;

use opentelemetry::trace::TraceContextExt;
use tracing::{Event, Subscriber};
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// The fields of spans, as the log lines need them: not at all. A line names its span by
/// `trace_id` and `span_id`; formatting every span's fields as JSON when it opens, and
/// parsing and writing them again each time one is recorded, cost the webhook ingress a
/// tenth of its CPU per request (callgrind) for lines that never showed them.
#[derive(Debug, Default)]
pub struct NoSpanFields;

impl<'writer> tracing_subscriber::fmt::FormatFields<'writer> for NoSpanFields {
    fn format_fields<R: tracing_subscriber::field::RecordFields>(
        &self,
        _: Writer<'writer>,
        _: R,
    ) -> fmt::Result {
        Ok(())
    }

    fn add_fields(
        &self,
        _: &'writer mut tracing_subscriber::fmt::FormattedFields<Self>,
        _: &tracing::span::Record<'_>,
    ) -> fmt::Result {
        Ok(())
    }
}

/// Wraps a JSON event format (one object per line) and adds the trace and span ids.
#[derive(Debug)]
pub struct WithTraceIds<F> {
    inner: F,
}

impl<F> WithTraceIds<F> {
    pub fn new(inner: F) -> Self {
        Self { inner }
    }
}

impl<S, N, F> FormatEvent<S, N> for WithTraceIds<F>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
    F: FormatEvent<S, N>,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut line = String::with_capacity(256);
        self.inner
            .format_event(ctx, Writer::new(&mut line), event)?;
        if let Some(ids) = current_ids() {
            add_ids(&mut line, &ids);
        }
        writer.write_str(&line)
    }
}

/// The current span's `(trace_id, span_id)` in hex, when it is being recorded.
fn current_ids() -> Option<(String, String)> {
    let context = tracing::Span::current().context();
    let span = context.span();
    let ids = span.span_context();
    ids.is_valid()
        .then(|| (ids.trace_id().to_string(), ids.span_id().to_string()))
}

/// Inserts the ids as the last members of the JSON object on `line`.
fn add_ids(line: &mut String, (trace_id, span_id): &(String, String)) {
    if let Some(end) = line.rfind('}') {
        line.insert_str(
            end,
            &format!(",\"trace_id\":\"{trace_id}\",\"span_id\":\"{span_id}\""),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::add_ids;

    #[test]
    fn the_ids_become_members_of_the_json_line() {
        let mut line = "{\"level\":\"INFO\",\"message\":\"hi\"}\n".to_owned();
        add_ids(&mut line, &("ab".to_owned(), "cd".to_owned()));
        let parsed: serde_json::Value = serde_json::from_str(line.trim()).expect("still JSON");
        assert_eq!(parsed["trace_id"], "ab");
        assert_eq!(parsed["span_id"], "cd");
        assert_eq!(parsed["message"], "hi");
    }
}
