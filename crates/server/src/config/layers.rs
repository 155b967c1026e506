//! The three layers as `figment` providers, merged into [`Settings`], and
//! the bookkeeping that lets every error name the setting the way its
//! source spells it: `ORDERCORE_BIND` for the environment, `bind` (and the
//! file) for the TOML file.
//!
//! The environment layer is built from a map, not read by the provider
//! itself, so the whole merge is a pure function of the file text and that
//! map (the unit tests never touch the process environment).

use super::settings::{self, Settings};
use super::{ConfigError, env_name};
use figment::error::{Actual, Kind};
use figment::value::{Dict, Map, Value};
use figment::{Figment, Metadata, Profile, Provider, Source};
use std::collections::BTreeMap;

const DEFAULTS: &str = "default";
const ENVIRONMENT: &str = "environment";
const FILE: &str = "file";

/// One layer: a dictionary of values and where they came from.
struct Layer {
    metadata: Metadata,
    dict: Dict,
}

impl Provider for Layer {
    fn metadata(&self) -> Metadata {
        self.metadata.clone()
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        Ok(Profile::Default.collect(self.dict.clone()))
    }
}

/// Where the value of one setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Default,
    Environment,
    /// The file, as it was named (`ordercore.toml`, `--config` argument).
    File(String),
}

impl Origin {
    /// The error for `key` with this origin: the environment variable name
    /// unless the value came from the file, where the TOML key is named.
    pub fn error(&self, key: &str, reason: impl Into<String>) -> ConfigError {
        let (setting, source) = match self {
            Origin::Default => (env_name(key), "default".to_string()),
            Origin::Environment => (env_name(key), "environment".to_string()),
            Origin::File(path) => (key.to_string(), path.clone()),
        };
        ConfigError {
            setting,
            source,
            reason: reason.into(),
        }
    }
}

/// The merged layers: the typed settings and the origin of each value.
#[derive(Debug, Clone)]
pub struct Merged {
    pub settings: Settings,
    origins: BTreeMap<&'static str, Origin>,
}

impl Merged {
    /// Where `key`'s value came from (`Default` when no layer set it).
    pub fn origin(&self, key: &str) -> Origin {
        self.origins.get(key).cloned().unwrap_or(Origin::Default)
    }

    /// Whether `key` was set explicitly (in the file or the environment).
    pub fn explicit(&self, key: &str) -> bool {
        self.origin(key) != Origin::Default
    }

    /// An error about `key`, named as its source spells it.
    pub fn error(&self, key: &str, reason: impl Into<String>) -> ConfigError {
        self.origin(key).error(key, reason)
    }
}

fn origin_of(metadata: Option<&Metadata>) -> Origin {
    match metadata {
        Some(m) if m.name == ENVIRONMENT => Origin::Environment,
        Some(m) if m.name == FILE => match &m.source {
            Some(Source::File(path)) => Origin::File(path.display().to_string()),
            _ => Origin::File("the configuration file".into()),
        },
        _ => Origin::Default,
    }
}

/// Is this value "unset"? An empty (or blank) string counts as unset in every
/// layer, as documented.
fn blank(value: &Value) -> bool {
    matches!(value, Value::String(_, s) if s.trim().is_empty())
}

fn file_layer(path: &str, text: &str) -> Result<Layer, ConfigError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| ConfigError {
        setting: "--config".into(),
        source: path.to_string(),
        reason: format!("not valid TOML: {}", e.message()),
    })?;
    let mut dict = Dict::new();
    for (key, value) in table {
        if settings::setting(&key).is_none() {
            return Err(ConfigError {
                setting: key,
                source: path.to_string(),
                reason: "unknown setting (see docs/configuration.md)".into(),
            });
        }
        let value = Value::serialize(&value).map_err(|e| ConfigError {
            setting: key.clone(),
            source: path.to_string(),
            reason: format!("unreadable value: {}", e.kind),
        })?;
        if !blank(&value) {
            dict.insert(key, value);
        }
    }
    Ok(Layer {
        metadata: Metadata::from(FILE, Source::File(path.into())),
        dict,
    })
}

/// Only the known `ORDERCORE_*` variables: the others are ignored (test
/// harnesses and CI set their own). Values stay strings; numbers are parsed
/// when the settings are extracted.
fn env_layer(env: &BTreeMap<String, String>) -> Layer {
    let mut dict = Dict::new();
    for setting in settings::SETTINGS {
        if let Some(value) = env.get(&env_name(setting.key)) {
            let value = Value::from(value.trim().to_string());
            if !blank(&value) {
                dict.insert(setting.key.to_string(), value);
            }
        }
    }
    Layer {
        metadata: Metadata::named(ENVIRONMENT),
        dict,
    }
}

fn defaults_layer() -> Layer {
    let dict = Value::serialize(Settings::default())
        .ok()
        .and_then(|v| v.into_dict())
        .unwrap_or_default();
    Layer {
        metadata: Metadata::named(DEFAULTS),
        dict,
    }
}

/// Merges defaults, then the file (`(name, text)`), then the environment
/// map; later layers win. Unknown file keys and values of the wrong type are
/// refused, naming the key (file) or the variable (environment).
pub fn merge(
    file: Option<(&str, &str)>,
    env: &BTreeMap<String, String>,
) -> Result<Merged, ConfigError> {
    let mut figment = Figment::from(defaults_layer());
    if let Some((path, text)) = file {
        figment = figment.merge(file_layer(path, text)?);
    }
    figment = figment.merge(env_layer(env));
    let origins: BTreeMap<&'static str, Origin> = settings::SETTINGS
        .iter()
        .map(|s| (s.key, origin_of(figment.find_metadata(s.key))))
        .collect();
    let settings: Settings = figment.extract_lossy().map_err(|e| {
        let key = match &e.kind {
            Kind::UnknownField(field, _) => field.clone(),
            _ => e.path.first().cloned().unwrap_or_default(),
        };
        let origin = origins
            .get(key.as_str())
            .cloned()
            .unwrap_or_else(|| origin_of(e.metadata.as_ref()));
        origin.error(&key, describe(&e.kind))
    })?;
    Ok(Merged { settings, origins })
}

/// A type error in words, without the offending value (it may be a secret
/// pasted into the wrong place).
fn describe(kind: &Kind) -> String {
    let what = |a: &Actual| match a {
        Actual::Str(_) => "a string".to_string(),
        Actual::Bool(_) => "a boolean".to_string(),
        Actual::Signed(_) | Actual::Unsigned(_) | Actual::Float(_) => "a number".to_string(),
        Actual::Seq => "a list".to_string(),
        Actual::Map => "a table".to_string(),
        other => other.to_string(),
    };
    let expected = |e: &str| match e {
        "u32" | "u64" => "a whole number".to_string(),
        "a string" | "a borrowed string" | "string" => "a string".to_string(),
        other => other.to_string(),
    };
    match kind {
        Kind::InvalidType(actual, exp) => {
            format!("expected {}, found {}", expected(exp), what(actual))
        }
        Kind::InvalidValue(actual, exp) => {
            format!(
                "expected {}, found {} out of range",
                expected(exp),
                what(actual)
            )
        }
        Kind::UnknownField(..) => "unknown setting (see docs/configuration.md)".into(),
        other => other.to_string(),
    }
}
