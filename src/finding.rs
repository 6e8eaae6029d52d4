//! The result type every detector produces: a [`Finding`] at a byte range of one file, optionally
//! carrying the [`Edit`] that fixes it. Detectors never print; findings flow to `report`.

use std::ops::Range;

use serde::Serialize;

use crate::edit::Edit;

/// What was found. Serialised in kebab-case; the names are part of the JSON schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A legacy events URL with a key (`.../api/events/KEY/`).
    LegacyUrl,
    /// A legacy events URL without a key; the surrounding code appends it.
    LegacyBaseUrl,
    /// A Generic URL whose literal account differs from the account resolved for its key.
    WrongAccount,
    /// A payload path inside a legacy alert rule that is rebased under the payload root.
    LegacyAlertRule,
    /// A Terraform integration (or rule export) that is still an API Integration.
    ApiIntegration,
    /// Something legacy the tool cannot prove safe to rewrite.
    NeedsReview,
    /// Code reading fields of the legacy response body.
    LegacyResponse,
    /// A vendor SDK call that posts to the legacy events endpoint.
    LegacySdk,
    /// A `zenduty-migrate: ignore` comment that suppresses nothing (reported on request).
    UnusedSuppression,
}

impl Kind {
    /// Every kind, in declaration order (used for SARIF rule tables and docs).
    pub const ALL: [Kind; 9] = [
        Kind::LegacyUrl,
        Kind::LegacyBaseUrl,
        Kind::WrongAccount,
        Kind::LegacyAlertRule,
        Kind::ApiIntegration,
        Kind::NeedsReview,
        Kind::LegacyResponse,
        Kind::LegacySdk,
        Kind::UnusedSuppression,
    ];

    /// The kebab-case name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::LegacyUrl => "legacy-url",
            Kind::LegacyBaseUrl => "legacy-base-url",
            Kind::WrongAccount => "wrong-account",
            Kind::LegacyAlertRule => "legacy-alert-rule",
            Kind::ApiIntegration => "api-integration",
            Kind::NeedsReview => "needs-review",
            Kind::LegacyResponse => "legacy-response",
            Kind::LegacySdk => "legacy-sdk",
            Kind::UnusedSuppression => "unused-suppression",
        }
    }
}

/// What the tool will do about a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// `apply` rewrites it; the finding carries its edit.
    Rewritable,
    /// Rewritable in principle, but no account could be resolved for it.
    Unresolved,
    /// Reported for a human; the tool does not touch it.
    NeedsReview,
}

/// One finding in one file. Positions are byte offsets into the file as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    pub status: Status,
    /// The bytes the finding is about (the whole URL, the payload path, the attribute value...).
    pub range: Range<usize>,
    /// The replacement text shown to the user, when there is one.
    pub new: Option<Vec<u8>>,
    /// One line of guidance for a human (may be empty for plain rewrites).
    pub message: String,
    /// Literal integration keys that appear in `old`/`new`; masked in output unless `--show-keys`.
    pub secrets: Vec<Vec<u8>>,
    /// The edit `apply` makes for this finding (only for [`Status::Rewritable`]).
    pub edit: Option<Edit>,
}

impl Finding {
    /// A review-only finding: no replacement, no edit.
    pub fn review(kind: Kind, range: Range<usize>, message: impl Into<String>) -> Self {
        Finding {
            kind,
            status: Status::NeedsReview,
            range,
            new: None,
            message: message.into(),
            secrets: Vec::new(),
            edit: None,
        }
    }

    /// A rewritable finding whose edit replaces exactly `range` with `replacement`.
    pub fn rewrite(kind: Kind, range: Range<usize>, replacement: Vec<u8>) -> Self {
        Finding {
            kind,
            status: Status::Rewritable,
            range: range.clone(),
            new: Some(replacement.clone()),
            message: String::new(),
            secrets: Vec::new(),
            edit: Some(Edit::new(range, replacement)),
        }
    }
}
