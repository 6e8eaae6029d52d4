//! The `zenduty-migrate.toml` file: its schema (strict: unknown keys are errors), discovery from
//! the first scanned path upwards, validation with file:line positions, and `init`, which writes or
//! updates the file while keeping the user's comments and layout.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::Error;

/// The names a config file may have, in the order they are looked for in each directory.
pub const FILE_NAMES: [&str; 2] = ["zenduty-migrate.toml", ".zenduty-migrate.toml"];

/// The vendor's application id of the API Integration.
pub const API_APPLICATION: &str = "27c9800c-2856-490d-8119-790be1308dd4";

/// The default root under which legacy payload paths are rebased.
pub const PAYLOAD_ROOT: &str = "$.payload";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Default account identifier.
    pub account: Option<Spanned<String>>,
    /// Per-key account overrides: literal key or exact placeholder text -> account.
    pub accounts: BTreeMap<String, Spanned<String>>,
    /// Old literal key -> new key, for teams that created a fresh Generic integration.
    pub keys: BTreeMap<String, String>,
    pub scan: ScanConfig,
    pub rules: RulesConfig,
    pub terraform: TerraformConfig,
    /// Where the config was read from (not part of the file).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScanConfig {
    /// Globs (relative to the config's directory, gitignore-style) that are never scanned.
    pub exclude: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RulesConfig {
    /// JSONPath under which legacy payload paths are rebased.
    pub payload_root: String,
    /// Globs of rule-export files that hold no integration object but belong to an API
    /// Integration (without this, such files are only reported).
    pub api_rule_files: Vec<String>,
}

impl Default for RulesConfig {
    fn default() -> Self {
        RulesConfig {
            payload_root: PAYLOAD_ROOT.to_string(),
            api_rule_files: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TerraformConfig {
    /// The application id that marks an API Integration.
    pub api_application: String,
    /// The Generic Integration's application id; required to convert integrations.
    pub generic_application: Option<String>,
    /// Integrations to treat as API Integrations: Terraform addresses
    /// (`zenduty_integrations.name`) or export `unique_id`s.
    pub api_integrations: Vec<String>,
}

impl Default for TerraformConfig {
    fn default() -> Self {
        TerraformConfig {
            api_application: API_APPLICATION.to_string(),
            generic_application: None,
            api_integrations: Vec::new(),
        }
    }
}

/// Is `id` a valid account identifier (1 to 64 ASCII letters and digits)?
pub fn valid_account(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// 1-based line and column of byte `offset` in `text`.
pub fn line_col(text: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    (line, offset - line_start + 1)
}

impl Config {
    /// Parse and validate config text; `path` is used in messages only.
    pub fn parse(text: &str, path: &Path) -> Result<Config, Error> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            let (line, col) = line_col(text.as_bytes(), offset);
            let message = e.message().trim();
            let message = match key_at(text, offset) {
                // Unknown-field messages already name the key.
                Some(key)
                    if !message
                        .contains(&format!("`{}`", key.rsplit('.').next().unwrap_or(&key))) =>
                {
                    format!("key `{key}`: {message}")
                }
                _ => message.to_string(),
            };
            Error::Config {
                path: path.to_path_buf(),
                line,
                col,
                message,
            }
        })?;
        let bad = |spanned: &Spanned<String>, what: String| {
            let (line, col) = line_col(text.as_bytes(), spanned.span().start);
            Error::Config {
                path: path.to_path_buf(),
                line,
                col,
                message: format!(
                    "{what}: {:?} is not an account identifier (1 to 64 letters and digits)",
                    spanned.get_ref()
                ),
            }
        };
        if let Some(account) = &config.account {
            if !valid_account(account.get_ref()) {
                return Err(bad(account, "key `account`".into()));
            }
        }
        for (key, account) in &config.accounts {
            if !valid_account(account.get_ref()) {
                // The key may be a literal integration key: a secret, shown masked.
                let shown =
                    String::from_utf8_lossy(&crate::report::mask_key(key.as_bytes())).into_owned();
                let shown = if key.len() > 4 && !key.contains(['$', '{', '%', '<']) {
                    shown
                } else {
                    key.clone()
                };
                return Err(bad(account, format!("key `accounts.{shown:?}`")));
            }
        }
        for glob in &config.scan.exclude {
            if let Err(e) = globset::Glob::new(glob) {
                return Err(Error::Config {
                    path: path.to_path_buf(),
                    line: 1,
                    col: 1,
                    message: format!("key `scan.exclude`: bad glob {glob:?}: {e}"),
                });
            }
        }
        if !config.rules.payload_root.starts_with('$') {
            return Err(Error::Config {
                path: path.to_path_buf(),
                line: 1,
                col: 1,
                message: format!(
                    "key `rules.payload_root`: {:?} is not a JSONPath rooted at `$`",
                    config.rules.payload_root
                ),
            });
        }
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    /// Read and parse the config file at `path`.
    pub fn load(path: &Path) -> Result<Config, Error> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|_| Error::Config {
            path: path.to_path_buf(),
            line: 1,
            col: 1,
            message: "the config file is not UTF-8".into(),
        })?;
        Config::parse(&text, path)
    }

    /// The directory the config's relative globs are anchored at.
    pub fn base_dir(&self) -> Option<&Path> {
        let parent = self.path.as_deref().and_then(Path::parent)?;
        Some(if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        })
    }

    /// The default account from the file, if any.
    pub fn default_account(&self) -> Option<&str> {
        self.account.as_ref().map(|a| a.get_ref().as_str())
    }

    /// The account the `[accounts]` table gives for this key text, if any.
    pub fn account_for_key(&self, key_text: &str) -> Option<&str> {
        self.accounts.get(key_text).map(|a| a.get_ref().as_str())
    }
}

/// The dotted key assigned on the line holding `offset` (`scan.exclude`), for messages.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let (key, _) = line.split_once('=')?;
    let key = key.trim().trim_matches('"');
    if key.is_empty() || key.starts_with('[') {
        return None;
    }
    let table = text[..line_start]
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && !l.starts_with("[["))
        .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string());
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_string(),
    })
}

/// The nearest config file from `start` upwards (a file's own directory first).
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        for name in FILE_NAMES {
            let candidate = d.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        dir = d.parent();
    }
    None
}

const TEMPLATE: &str = r#"# zenduty-migrate configuration. See the README for every key.

# Default account identifier of the Generic Integration URLs
# (https://events.zenduty.com/integration/<account>/generic/<key>/).
# account = "ab12c"

# Per-key overrides: a literal integration key, or a placeholder's exact text -> account.
[accounts]
# "d58c08d0-75f7-4c48-8220-422b51b31847" = "xy98z"
# "${ZENDUTY_PROD_KEY}" = "xy98z"

# Old literal key -> new key, if you created a fresh Generic integration.
[keys]

[scan]
exclude = []

[rules]
payload_root = "$.payload"

[terraform]
# api_application = "27c9800c-2856-490d-8119-790be1308dd4"
# The Generic Integration's id in the vendor's application list; needed to convert integrations.
# generic_application = ""
api_integrations = []
"#;

/// What `init` should set in the file.
#[derive(Debug, Clone, Default)]
pub struct InitSettings {
    pub account: Option<String>,
    pub generic_application: Option<String>,
}

/// Create or update the config file at `path`; returns the new text. Existing comments, order and
/// spacing are kept: only the keys given in `settings` change. The result is validated before it
/// is written.
pub fn init(path: &Path, settings: &InitSettings) -> Result<String, Error> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(Error::Io {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let original = existing.as_deref().unwrap_or(TEMPLATE);
    let mut doc: toml_edit::DocumentMut = original.parse().map_err(|e: toml_edit::TomlError| {
        let (line, col) = e
            .span()
            .map_or((1, 1), |s| line_col(original.as_bytes(), s.start));
        Error::Config {
            path: path.to_path_buf(),
            line,
            col,
            message: e.message().trim().to_string(),
        }
    })?;
    if let Some(account) = &settings.account {
        if !valid_account(account) {
            return Err(Error::Usage(format!(
                "--account {account:?} is not an account identifier (1 to 64 letters and digits)"
            )));
        }
        doc["account"] = toml_edit::value(account.as_str());
    }
    if let Some(app) = &settings.generic_application {
        if !doc.contains_table("terraform") {
            doc["terraform"] = toml_edit::table();
        }
        doc["terraform"]["generic_application"] = toml_edit::value(app.as_str());
    }
    let text = doc.to_string();
    Config::parse(&text, path)?;
    if existing.as_deref() != Some(text.as_str()) {
        crate::write::write_new_or_replace(path, text.as_bytes())?;
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, Error> {
        Config::parse(text, Path::new("z.toml"))
    }

    #[test]
    fn defaults() {
        let c = parse("").unwrap();
        assert_eq!(c.rules.payload_root, "$.payload");
        assert_eq!(c.terraform.api_application, API_APPLICATION);
        assert!(c.default_account().is_none());
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let err = parse("account = \"ab12c\"\n[scan]\nexclud = []\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("z.toml:3:1:"), "{msg}");
        assert!(msg.contains("exclud"), "{msg}");
    }

    #[test]
    fn wrong_type_names_the_line_and_key() {
        let msg = parse("\n\naccount = 12\n").unwrap_err().to_string();
        assert!(msg.starts_with("z.toml:3:"), "{msg}");
        assert!(msg.contains("`account`"), "{msg}");
        let msg = parse("[scan]\nexclude = 3\n").unwrap_err().to_string();
        assert!(msg.contains("`scan.exclude`"), "{msg}");
    }

    #[test]
    fn bad_account_is_rejected_with_its_line() {
        let msg = parse("[accounts]\n\"k\" = \"no-dash\"\n")
            .unwrap_err()
            .to_string();
        assert!(msg.starts_with("z.toml:2:"), "{msg}");
        assert!(msg.contains("accounts"), "{msg}");
    }

    #[test]
    fn template_parses() {
        parse(TEMPLATE).unwrap();
    }

    #[test]
    fn line_col_counts_bytes() {
        assert_eq!(line_col(b"ab\ncd", 4), (2, 2));
        assert_eq!(line_col(b"ab\ncd", 0), (1, 1));
    }
}
