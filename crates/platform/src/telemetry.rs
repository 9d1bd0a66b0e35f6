//! Logs and traces: JSON log lines on stdout, and OTLP trace export when
//! `NAVSYNC_OTEL__ENDPOINT` is set (nothing is exported otherwise).

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
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&settings.log.level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = tracing_subscriber::fmt::layer()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_writer(writer)
        .boxed();

    opentelemetry::global::set_text_map_propagator(
        opentelemetry_sdk::propagation::TraceContextPropagator::new(),
    );
    let provider = settings.otel.endpoint.as_deref().and_then(|endpoint| {
        match build_provider(service, endpoint) {
            Ok(p) => Some(p),
            Err(err) => {
                eprintln!("telemetry: OTLP export disabled: {err}");
                None
            }
        }
    });
    let otel = provider.as_ref().map(|p| {
        tracing_opentelemetry::layer()
            .with_tracer(p.tracer(service))
            .boxed()
    });
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .with(otel)
        .try_init();
    if let Some(p) = &provider {
        opentelemetry::global::set_tracer_provider(p.clone());
    }
    Telemetry { provider }
}

/// The W3C `traceparent` of the current span, to put on an event so its trace continues
/// in the consumer; `None` when no trace is being recorded (no OTLP endpoint configured).
pub fn current_traceparent() -> Option<String> {
    use opentelemetry::trace::TraceContextExt;
    use tracing_opentelemetry::OpenTelemetrySpanExt;
    let context = tracing::Span::current().context();
    let span = context.span();
    let ids = span.span_context();
    ids.is_valid().then(|| {
        format!(
            "00-{}-{}-{:02x}",
            ids.trace_id(),
            ids.span_id(),
            ids.trace_flags().to_u8()
        )
    })
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
}
