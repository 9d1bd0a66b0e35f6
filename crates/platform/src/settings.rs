//! Typed, layered configuration with the exact `NAVSYNC_` names of SPEC §3.
//!
//! One `Settings` type serves every service: each service reads the sections it needs and
//! says which secrets it needs through [`Needs`], so that production refuses only the dev
//! defaults that the service would actually use.

use std::path::PathBuf;

use base64::Engine;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// Development defaults for secrets. They are refused when `NAVSYNC_ENV=production`.
pub const DEV_JWT_SECRET: &str = "navsync-dev-jwt-secret-not-for-production";
pub const DEV_SERVICE_TOKEN: &str = "navsync-dev-service-token-not-for-production";
/// base64 of the 32 ASCII bytes `navsync-dev-crypto-key-not-prod!`.
pub const DEV_CRYPTO_KEY: &str = "bmF2c3luYy1kZXYtY3J5cHRvLWtleS1ub3QtcHJvZCE=";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    Development,
    Production,
}

#[derive(Clone, Deserialize)]
pub struct Settings {
    pub env: Environment,
    pub database: DatabaseSettings,
    pub amqp: AmqpSettings,
    pub ado: AdoSettings,
    pub http: HttpSettings,
    pub auth: AuthSettings,
    pub crypto: CryptoSettings,
    pub public: PublicSettings,
    pub integrations: IntegrationsSettings,
    pub otel: OtelSettings,
    pub emulator: EmulatorSettings,
    pub log: LogSettings,
    pub sync: SyncSettings,
}

#[derive(Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: SecretString,
    pub pool_size: usize,
}

#[derive(Clone, Deserialize)]
pub struct AmqpSettings {
    pub url: SecretString,
}

#[derive(Clone, Debug, Deserialize)]
pub struct AdoSettings {
    pub base_url: String,
    /// Per-request timeout of calls to ADO.
    pub timeout_ms: u64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct HttpSettings {
    pub host: String,
    pub port: u16,
    /// How long in-flight requests may take to finish after SIGTERM.
    pub shutdown_timeout_secs: u64,
}

#[derive(Clone, Deserialize)]
pub struct AuthSettings {
    pub jwt_secret: SecretString,
    pub service_token: SecretString,
}

#[derive(Clone, Deserialize)]
pub struct CryptoSettings {
    /// base64 of 32 bytes: the key that encrypts new values.
    pub key: SecretString,
    /// Comma-separated base64 keys still accepted for decryption during a rotation.
    pub previous_keys: SecretString,
}

#[derive(Clone, Debug, Deserialize)]
pub struct PublicSettings {
    pub webhook_base_url: String,
    pub navigator_url: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct IntegrationsSettings {
    pub url: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct OtelSettings {
    pub endpoint: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct EmulatorSettings {
    pub seed: Option<PathBuf>,
}

/// ado-sync's knobs.
#[derive(Clone, Debug, Deserialize)]
pub struct SyncSettings {
    /// ADO calls in flight at once per organization, so one busy organization cannot
    /// starve the others.
    pub max_in_flight_per_org: usize,
    /// How often parked work is checked for an integration that works again, besides the
    /// check `integration.changed.v1` triggers.
    pub resume_interval_ms: u64,
    /// How long an integration read from `integrations` is trusted when no
    /// `integration.changed.v1` said otherwise.
    pub directory_ttl_ms: u64,
    /// Consumer prefetch of ado-sync's two action item queues: how far past one
    /// organization's backlog the worker looks for other organizations' items. Deliveries
    /// beyond what an organization may handle at once wait in memory for its turn.
    pub prefetch: u16,
    /// How long a worker may act on an action item before another may take over (after
    /// a crash); longer than any ADO call with its retries.
    pub lease_secs: u64,
}

#[derive(Clone, Debug, Deserialize)]
pub struct LogSettings {
    /// An `EnvFilter` directive; `RUST_LOG` wins when set.
    pub level: String,
}

/// The secrets a service uses; only those are checked against the dev defaults.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    pub jwt_secret: bool,
    pub service_token: bool,
    pub crypto_key: bool,
}

/// A configuration problem, already phrased as the one line an operator reads.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(pub String);

impl Settings {
    /// Builds settings in increasing priority: built-in defaults, then the TOML file named
    /// by `NAVSYNC_CONFIG` (if any), then `NAVSYNC_*` environment variables (`__` between
    /// levels). `default_port` is the service's own port from SPEC §3.
    pub fn load(default_port: u16, needs: Needs) -> Result<Self, ConfigError> {
        let vars: Vec<(String, String)> = std::env::vars().collect();
        Self::load_from(default_port, needs, &vars)
    }

    /// [`Settings::load`] over an explicit environment, so tests need not touch the
    /// process's own.
    pub fn load_from(
        default_port: u16,
        needs: Needs,
        vars: &[(String, String)],
    ) -> Result<Self, ConfigError> {
        let mut builder = config::Config::builder();
        for (key, value) in defaults(default_port) {
            builder = builder
                .set_default(key, value)
                .map_err(|e| ConfigError(e.to_string()))?;
        }
        let settings: Settings = layers(builder, vars)
            .build()
            .and_then(|c| c.try_deserialize())
            .map_err(describe)?;
        settings.validate(needs)?;
        Ok(settings)
    }

    fn validate(&self, needs: Needs) -> Result<(), ConfigError> {
        let production = self.env == Environment::Production;
        let refuse_dev = |name: &str, value: &SecretString, dev: &str| {
            if production && value.expose_secret() == dev {
                Err(ConfigError(format!(
                    "{name}: the development default is refused when NAVSYNC_ENV=production"
                )))
            } else if value.expose_secret().is_empty() {
                Err(ConfigError(format!("{name}: must not be empty")))
            } else {
                Ok(())
            }
        };
        if needs.jwt_secret {
            refuse_dev(
                "NAVSYNC_AUTH__JWT_SECRET",
                &self.auth.jwt_secret,
                DEV_JWT_SECRET,
            )?;
        }
        if needs.service_token {
            refuse_dev(
                "NAVSYNC_AUTH__SERVICE_TOKEN",
                &self.auth.service_token,
                DEV_SERVICE_TOKEN,
            )?;
        }
        if needs.crypto_key {
            refuse_dev("NAVSYNC_CRYPTO__KEY", &self.crypto.key, DEV_CRYPTO_KEY)?;
            self.crypto.current_key()?;
            self.crypto.previous_keys()?;
        }
        for (name, url) in [
            ("NAVSYNC_ADO__BASE_URL", &self.ado.base_url),
            (
                "NAVSYNC_PUBLIC__WEBHOOK_BASE_URL",
                &self.public.webhook_base_url,
            ),
            ("NAVSYNC_PUBLIC__NAVIGATOR_URL", &self.public.navigator_url),
            ("NAVSYNC_INTEGRATIONS__URL", &self.integrations.url),
        ] {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError(format!(
                    "{name}: must be an http:// or https:// URL"
                )));
            }
        }
        Ok(())
    }
}

/// The file and environment layers above the defaults: the TOML file named by
/// `NAVSYNC_CONFIG` (if any), then `NAVSYNC_*` variables (`__` between levels).
fn layers(
    mut builder: config::ConfigBuilder<config::builder::DefaultState>,
    vars: &[(String, String)],
) -> config::ConfigBuilder<config::builder::DefaultState> {
    if let Some((_, path)) = vars.iter().find(|(k, _)| k == "NAVSYNC_CONFIG") {
        builder = builder.add_source(config::File::new(path, config::FileFormat::Toml));
    }
    let env_map: config::Map<String, String> = vars
        .iter()
        .filter(|(k, _)| k.starts_with("NAVSYNC_") && k != "NAVSYNC_CONFIG")
        .cloned()
        .collect();
    builder.add_source(
        config::Environment::with_prefix("NAVSYNC")
            .prefix_separator("_")
            .separator("__")
            .source(Some(env_map)),
    )
}

/// A service's own settings section (`[section]` in the file, `NAVSYNC_<SECTION>__*` in
/// the environment), read through the same layers as [`Settings`] with the type's
/// `Default` as the defaults (give it `#[serde(default)]`). One service's knobs thus stay
/// in that service's crate instead of growing the shared [`Settings`].
pub fn load_section<T: serde::de::DeserializeOwned + Default>(
    section: &str,
) -> Result<T, ConfigError> {
    let vars: Vec<(String, String)> = std::env::vars().collect();
    load_section_from(section, &vars)
}

/// [`load_section`] over an explicit environment.
pub fn load_section_from<T: serde::de::DeserializeOwned + Default>(
    section: &str,
    vars: &[(String, String)],
) -> Result<T, ConfigError> {
    let config = layers(config::Config::builder(), vars)
        .build()
        .map_err(describe)?;
    // Read from the root rather than with `config.get(section)`, which names only the
    // section in an error: this way a bad value is named down to its field.
    let found = serde::de::DeserializeSeed::deserialize(
        Section::<T> {
            name: section,
            wanted: std::marker::PhantomData,
        },
        config,
    )
    .map_err(describe)?;
    Ok(found.unwrap_or_default())
}

/// Deserializes one top-level key of a map as `T` and skips the others.
struct Section<'a, T> {
    name: &'a str,
    wanted: std::marker::PhantomData<T>,
}

impl<'de, T: serde::Deserialize<'de>> serde::de::DeserializeSeed<'de> for Section<'_, T> {
    type Value = Option<T>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for Section<'_, T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a map with an optional `{}` section", self.name)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == self.name {
                found = Some(map.next_value::<T>()?);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

impl CryptoSettings {
    /// The current data key, decoded.
    pub fn current_key(&self) -> Result<[u8; 32], ConfigError> {
        decode_key("NAVSYNC_CRYPTO__KEY", self.key.expose_secret())
    }

    /// Keys kept only to decrypt values written before a rotation.
    pub fn previous_keys(&self) -> Result<Vec<[u8; 32]>, ConfigError> {
        self.previous_keys
            .expose_secret()
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| decode_key("NAVSYNC_CRYPTO__PREVIOUS_KEYS", k))
            .collect()
    }
}

fn decode_key(name: &str, b64: &str) -> Result<[u8; 32], ConfigError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| ConfigError(format!("{name}: must be base64 of 32 bytes")))?;
    bytes
        .try_into()
        .map_err(|_| ConfigError(format!("{name}: must be base64 of 32 bytes")))
}

fn defaults(port: u16) -> Vec<(&'static str, config::Value)> {
    vec![
        ("env", "development".into()),
        (
            "database.url",
            "postgres://postgres@127.0.0.1:5432/navsync".into(),
        ),
        ("database.pool_size", 10_i64.into()),
        ("amqp.url", "amqp://guest:guest@127.0.0.1:5672/%2f".into()),
        ("ado.base_url", "https://dev.azure.com".into()),
        ("ado.timeout_ms", 10_000_i64.into()),
        ("http.host", "127.0.0.1".into()),
        ("http.port", i64::from(port).into()),
        ("http.shutdown_timeout_secs", 20_i64.into()),
        ("auth.jwt_secret", DEV_JWT_SECRET.into()),
        ("auth.service_token", DEV_SERVICE_TOKEN.into()),
        ("crypto.key", DEV_CRYPTO_KEY.into()),
        ("crypto.previous_keys", "".into()),
        ("public.webhook_base_url", "http://127.0.0.1:8083".into()),
        ("public.navigator_url", "http://127.0.0.1:8082".into()),
        ("integrations.url", "http://127.0.0.1:8081".into()),
        ("otel.endpoint", config::Value::from(None::<String>)),
        ("emulator.seed", config::Value::from(None::<String>)),
        ("log.level", "info".into()),
        ("sync.max_in_flight_per_org", 8_i64.into()),
        ("sync.resume_interval_ms", 60_000_i64.into()),
        ("sync.directory_ttl_ms", 60_000_i64.into()),
        ("sync.prefetch", 256_i64.into()),
        ("sync.lease_secs", 120_i64.into()),
    ]
}

/// Turns the config crate's error into one line that names the environment variable.
fn describe(err: config::ConfigError) -> ConfigError {
    let text = err.to_string();
    // The config crate names keys as `section.key`; operators know `NAVSYNC_SECTION__KEY`.
    let named = match text.rfind(" for key `") {
        Some(pos) => {
            let rest = &text[pos + " for key `".len()..];
            let key = rest.split('`').next().unwrap_or_default();
            format!("{}: {}", env_name(key), &text[..pos])
        }
        None => match text.strip_prefix("missing field `") {
            Some(rest) => format!("{}: missing", rest.split('`').next().unwrap_or_default()),
            None => text,
        },
    };
    ConfigError(named)
}

fn env_name(key: &str) -> String {
    format!("NAVSYNC_{}", key.to_uppercase().replace('.', "__"))
}

/// Prints a configuration error as one line and exits; for `main` only.
pub fn exit_on_error<T>(result: Result<T, ConfigError>) -> T {
    match result {
        Ok(value) => value,
        Err(err) => {
            eprintln!("{err}");
            std::process::exit(2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    const ALL: Needs = Needs {
        jwt_secret: true,
        service_token: true,
        crypto_key: true,
    };

    #[test]
    fn defaults_give_the_local_values_of_the_spec() {
        let s = Settings::load_from(8081, ALL, &[]).expect("defaults load");
        assert_eq!(s.http.port, 8081);
        assert_eq!(s.http.host, "127.0.0.1");
        assert_eq!(s.ado.base_url, "https://dev.azure.com");
        assert_eq!(
            s.database.url.expose_secret(),
            "postgres://postgres@127.0.0.1:5432/navsync"
        );
        assert_eq!(s.env, Environment::Development);
        assert!(s.otel.endpoint.is_none());
    }

    #[test]
    fn environment_variables_override_defaults() {
        let s = Settings::load_from(
            8081,
            ALL,
            &vars(&[
                ("NAVSYNC_HTTP__PORT", "9999"),
                ("NAVSYNC_ADO__BASE_URL", "http://127.0.0.1:8090"),
            ]),
        )
        .expect("loads");
        assert_eq!(s.http.port, 9999);
        assert_eq!(s.ado.base_url, "http://127.0.0.1:8090");
    }

    #[test]
    fn a_bad_value_names_the_variable() {
        let err = Settings::load_from(8081, ALL, &vars(&[("NAVSYNC_HTTP__PORT", "eighty")]))
            .err()
            .expect("refused");
        assert!(err.to_string().contains("NAVSYNC_HTTP__PORT"), "{err}");
        assert!(!err.to_string().contains('\n'));
    }

    #[test]
    fn production_refuses_dev_secrets_and_names_the_key() {
        let err = Settings::load_from(8081, ALL, &vars(&[("NAVSYNC_ENV", "production")]))
            .err()
            .expect("refused");
        assert!(
            err.to_string().contains("NAVSYNC_AUTH__JWT_SECRET"),
            "{err}"
        );
    }

    #[test]
    fn production_refuses_only_the_secrets_a_service_needs() {
        let needs = Needs {
            service_token: true,
            ..Needs::default()
        };
        let err = Settings::load_from(8083, needs, &vars(&[("NAVSYNC_ENV", "production")]))
            .err()
            .expect("refused");
        assert!(
            err.to_string().contains("NAVSYNC_AUTH__SERVICE_TOKEN"),
            "{err}"
        );
        let ok = Settings::load_from(
            8083,
            needs,
            &vars(&[
                ("NAVSYNC_ENV", "production"),
                ("NAVSYNC_AUTH__SERVICE_TOKEN", "a-real-token"),
            ]),
        );
        assert!(ok.is_ok());
    }

    #[test]
    fn a_crypto_key_of_the_wrong_length_is_refused_without_echoing_it() {
        let err = Settings::load_from(
            8081,
            ALL,
            &vars(&[("NAVSYNC_CRYPTO__KEY", "c2hvcnQta2V5LXZhbHVl")]),
        )
        .err()
        .expect("refused");
        assert!(err.to_string().contains("NAVSYNC_CRYPTO__KEY"));
        assert!(!err.to_string().contains("c2hvcnQta2V5LXZhbHVl"));
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(default, deny_unknown_fields)]
    struct Knobs {
        rate_per_sec: u32,
        name: String,
    }

    impl Default for Knobs {
        fn default() -> Self {
            Self {
                rate_per_sec: 50,
                name: "default".into(),
            }
        }
    }

    #[test]
    fn a_section_takes_its_defaults_then_the_environment() {
        let knobs: Knobs = load_section_from("ingress", &[]).expect("defaults");
        assert_eq!(knobs, Knobs::default());
        let knobs: Knobs = load_section_from(
            "ingress",
            &vars(&[
                ("NAVSYNC_INGRESS__RATE_PER_SEC", "7"),
                ("NAVSYNC_HTTP__PORT", "1234"),
            ]),
        )
        .expect("loads");
        assert_eq!(knobs.rate_per_sec, 7);
        assert_eq!(knobs.name, "default");

        let file =
            std::env::temp_dir().join(format!("navsync-section-{}.toml", uuid::Uuid::new_v4()));
        std::fs::write(&file, "[ingress]\nrate_per_sec = 3\nname = \"from-file\"\n")
            .expect("written");
        let path = file.to_string_lossy().into_owned();
        let knobs: Knobs = load_section_from(
            "ingress",
            &vars(&[
                ("NAVSYNC_CONFIG", &path),
                ("NAVSYNC_INGRESS__RATE_PER_SEC", "9"),
            ]),
        )
        .expect("loads");
        let _ = std::fs::remove_file(&file);
        assert_eq!((knobs.rate_per_sec, knobs.name.as_str()), (9, "from-file"));
    }

    #[test]
    fn a_bad_section_value_names_the_variable() {
        let err = load_section_from::<Knobs>(
            "ingress",
            &vars(&[("NAVSYNC_INGRESS__RATE_PER_SEC", "fast")]),
        )
        .expect_err("refused");
        assert!(
            err.to_string().contains("NAVSYNC_INGRESS__RATE_PER_SEC"),
            "{err}"
        );
    }

    #[test]
    fn an_unknown_environment_is_refused() {
        let err = Settings::load_from(8081, ALL, &vars(&[("NAVSYNC_ENV", "staging")]))
            .err()
            .expect("refused");
        assert!(err.to_string().contains("NAVSYNC_ENV"), "{err}");
    }
}
