//! Captures every log line the process writes, so tests can assert that no secret is ever
//! logged. The subscriber is global: tests in one process share one buffer.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use navsync_platform::Settings;

#[derive(Clone, Default)]
pub struct CapturedLogs {
    buffer: Arc<Mutex<Vec<u8>>>,
}

static GLOBAL: OnceLock<CapturedLogs> = OnceLock::new();

impl CapturedLogs {
    /// Installs the capturing subscriber (once per process) at debug level.
    pub fn install(settings: &Settings) -> Self {
        GLOBAL
            .get_or_init(|| {
                let logs = CapturedLogs::default();
                let writer = logs.clone();
                let mut settings = settings.clone();
                settings.log.level = "debug".to_owned();
                // Kept for the life of the process, like a service's own telemetry.
                std::mem::forget(navsync_platform::telemetry::init_with_writer(
                    "test",
                    &settings,
                    move || writer.clone(),
                ));
                logs
            })
            .clone()
    }

    pub fn text(&self) -> String {
        let bytes = self.buffer.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.buffer.lock() {
            b.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
