//! Logs and traces: JSON log lines on stdout, and OTLP trace export when
//! `NAVSYNC_OTEL__ENDPOINT` is set (nothing is exported otherwise, nor when it is blank).
//!
//! Spans always carry OpenTelemetry trace and span ids, exported or not: every JSON line
//! written inside a span names them (`trace_id`, `span_id`, see [`crate::log_format`]), and
//! the W3C `traceparent` travels on every event, so a trace stays whole across services
//! even when only some of them export.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::settings::Settings;

/// Keeps the trace pipeline alive; [`Telemetry::shutdown`] flushes it, last thing in `main`.
#[must_use]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    pub fn shutdown(self) {
        if let Some(provider) = self.provider
            && let Err(err) = provider.shutdown()
        {
            eprintln!("telemetry shutdown: {err}");
        }
    }
}

/// Installs the global subscriber writing JSON to stdout.
pub fn init(service: &'static str, settings: &Settings) -> Telemetry {
    init_with_writer(service, settings, std::io::stdout)
}

/// Installs the global subscriber writing to `writer` (tests capture logs this way).
/// A second call in the same process is a no-op.
pub fn init_with_writer<W>(service: &'static str, settings: &Settings, writer: W) -> Telemetry
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let provider = exporting_provider(service, settings.otel.endpoint.as_deref());
    install(service, settings, writer, provider)
}

/// The provider that exports to `endpoint`; `None` (nothing leaves the process) when the
/// endpoint is unset or blank, or the exporter cannot be built (said on stderr).
fn exporting_provider(service: &'static str, endpoint: Option<&str>) -> Option<SdkTracerProvider> {
    let endpoint = endpoint.filter(|e| !e.trim().is_empty())?;
    match build_provider(service, &traces_url(endpoint)) {
        Ok(p) => Some(p),
        Err(err) => {
            eprintln!("telemetry: OTLP export disabled: {err}");
            None
        }
    }
}

/// Like [`init_with_writer`], with a tracer provider of the caller's: tests pass one with
/// an in-memory exporter to assert on the spans every service of the process records.
pub fn init_with_provider<W>(
    service: &'static str,
    settings: &Settings,
    writer: W,
    provider: SdkTracerProvider,
) -> Telemetry
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    install(service, settings, writer, Some(provider))
}

fn install<W>(
    service: &'static str,
    settings: &Settings,
    writer: W,
    provider: Option<SdkTracerProvider>,
) -> Telemetry
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.log.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer()
        .json()
        .fmt_fields(crate::log_format::NoSpanFields)
        .with_writer(writer)
        .event_format(crate::log_format::WithTraceIds::new(
            tracing_subscriber::fmt::format()
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .with_span_list(false),
        ))
        .boxed();

    opentelemetry::global::set_text_map_propagator(
        opentelemetry_sdk::propagation::TraceContextPropagator::new(),
    );
    // Without an endpoint the spans still get ids (for the log lines and the traceparent
    // of events) from a provider that exports nowhere.
    let tracer_provider = provider
        .clone()
        .unwrap_or_else(|| SdkTracerProvider::builder().build());
    // No source location, thread or busy/idle attributes: they cost a timestamp on every
    // poll of an instrumented future and a few allocations per span, on every request of
    // every service, and no dashboard or alert of ours reads them. Nor is a span's
    // OpenTelemetry context made current on every poll (a lock, a clone and a thread-local
    // push and pop, 8k instructions a request): ids, logs and `traceparent`s are read from
    // the tracing span itself, and no OpenTelemetry-native instrumentation runs here.
    let otel = tracing_opentelemetry::layer()
        .with_tracer(tracer_provider.tracer(service))
        .with_location(false)
        .with_threads(false)
        .with_tracked_inactivity(false)
        .with_context_activation(false)
        .boxed();
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .with(otel)
        .try_init()
        .is_ok();
    if installed && let Some(p) = &provider {
        opentelemetry::global::set_tracer_provider(p.clone());
    }
    Telemetry { provider }
}

/// The W3C `traceparent` of the current span, to put on an event so its trace continues
/// in the consumer; `None` outside any span, or before telemetry is installed.
pub fn current_traceparent() -> Option<String> {
    crate::trace_context::traceparent_of(&tracing::Span::current())
}

/// Where OTLP/HTTP traces go for `NAVSYNC_OTEL__ENDPOINT`. opentelemetry-otlp posts to an
/// endpoint set in code exactly as given (it appends `/v1/traces` only to the
/// `OTEL_EXPORTER_OTLP_ENDPOINT` variable), so a collector's base URL
/// (`http://collector:4318`, the form that variable and most tools take) would lose every
/// span to a 404; it gets the path here. A URL already ending in `/v1/traces` is kept.
fn traces_url(endpoint: &str) -> String {
    const PATH: &str = "/v1/traces";
    let endpoint = endpoint.trim().trim_end_matches('/');
    if endpoint.ends_with(PATH) {
        endpoint.to_owned()
    } else {
        format!("{endpoint}{PATH}")
    }
}

fn build_provider(service: &'static str, endpoint: &str) -> anyhow::Result<SdkTracerProvider> {
    use opentelemetry_otlp::WithExportConfig;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(endpoint)
        .build()?;
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            opentelemetry_sdk::Resource::builder()
                .with_service_name(service)
                .build(),
        )
        .build())
}

#[cfg(test)]
mod tests {
    #[test]
    fn without_a_recorded_trace_there_is_no_traceparent() {
        assert_eq!(super::current_traceparent(), None);
    }

    #[test]
    fn only_an_endpoint_turns_export_on() {
        for endpoint in [None, Some(""), Some("  ")] {
            assert!(
                super::exporting_provider("test", endpoint).is_none(),
                "{endpoint:?}"
            );
        }
        let exporting = super::exporting_provider("test", Some("http://127.0.0.1:4318"))
            .expect("an endpoint turns export on");
        let _ = exporting.shutdown();
    }

    #[test]
    fn a_collectors_base_url_gets_the_traces_path_and_a_full_url_is_kept() {
        use super::traces_url;
        for (given, used) in [
            ("http://collector:4318", "http://collector:4318/v1/traces"),
            ("http://collector:4318/", "http://collector:4318/v1/traces"),
            (
                "https://gw.example.com/otlp",
                "https://gw.example.com/otlp/v1/traces",
            ),
            (
                "http://collector:4318/v1/traces",
                "http://collector:4318/v1/traces",
            ),
            (
                "http://collector:4318/v1/traces/",
                "http://collector:4318/v1/traces",
            ),
            (" http://collector:4318 ", "http://collector:4318/v1/traces"),
        ] {
            assert_eq!(traces_url(given), used, "{given}");
        }
    }
}
