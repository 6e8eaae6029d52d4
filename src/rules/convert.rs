//! Turning the tree's [`Outcome`]s for JSON text held inside some string form into verified raw
//! edits, shared by the Terraform and export converters: each form only says how text is escaped
//! into it ([`Codec`]), and the verification is the same for all.

use std::ops::Range;

use super::text::{self, Decoded};
use super::tree::{self, Node, Outcome, Root};
use crate::edit::{splice, Edit};

/// One thing a rule needs: a rebase edit, or a place for a human.
#[derive(Debug, Clone)]
pub enum Item {
    Rebase {
        range: Range<usize>,
        replacement: Vec<u8>,
        old: String,
        new: String,
    },
    Review {
        range: Range<usize>,
        message: String,
    },
}

impl Item {
    /// The item moved `by` bytes (from its string's content to the file), its message labelled
    /// with the rule it belongs to.
    pub fn shifted(item: Item, by: usize, label: &str) -> Item {
        match item {
            Item::Rebase {
                range,
                replacement,
                old,
                new,
            } => Item::Rebase {
                range: super::json::shift(&range, by),
                replacement,
                old,
                new,
            },
            Item::Review { range, message } => Item::Review {
                range: super::json::shift(&range, by),
                message: format!("{label}: {message}"),
            },
        }
    }

    /// The rebase of an embedded literal (a `jsonencode` string, a YAML scalar) whose new text was
    /// checked by decoding it again (`verified`); if it does not hold, a place for a human.
    pub fn rebase_or_review(
        label: &str,
        range: Range<usize>,
        replacement: Vec<u8>,
        old: String,
        new: String,
        verified: bool,
    ) -> Item {
        if verified {
            Item::Rebase {
                range,
                replacement,
                old,
                new,
            }
        } else {
            Item::Review {
                range,
                message: format!(
                    "{label}: payload path `{old}` could not be rebased in place; change it to \
                     `{new}` by hand"
                ),
            }
        }
    }
}

/// Turn the tree's outcomes into edits of `raw` (ranges relative to `raw`) and verify them:
/// applying the raw edits and decoding again must give exactly the JSON text with only the
/// rebased tokens changed, and that text must parse as JSON. Anything else means the edit would
/// not be what it claims, so it is refused.
pub fn convert_text(
    form: impl Codec,
    decoded: &Decoded,
    tree: &Node,
    root: &Root,
    raw: &[u8],
) -> Result<Vec<Item>, String> {
    let mut items = Vec::new();
    let mut raw_edits = Vec::new();
    let mut json_edits = Vec::new();
    for o in tree::convert(tree, root) {
        match o {
            Outcome::Rebase {
                content,
                first,
                old,
                new,
            } => {
                let raw_content = decoded.raw(content.clone());
                let raw_first = decoded.raw(first.clone());
                let mut replacement = form.encode(&root.text).into_bytes();
                replacement.extend_from_slice(&raw[raw_first.end..raw_content.end]);
                raw_edits.push(Edit::new(raw_content.clone(), replacement.clone()));
                let mut json_new = text::json_escape(&root.text).into_bytes();
                json_new.extend_from_slice(&decoded.text[first.end..content.end]);
                json_edits.push(Edit::new(content, json_new));
                items.push(Item::Rebase {
                    range: raw_content,
                    replacement,
                    old,
                    new,
                });
            }
            Outcome::Review { range, message } => items.push(Item::Review {
                range: decoded.raw(range),
                message,
            }),
        }
    }
    if raw_edits.is_empty() {
        return Ok(items);
    }
    let fail = || {
        "the converted rule_json could not be verified; rebase its payload paths by hand"
            .to_string()
    };
    let new_raw = splice(raw, &raw_edits).map_err(|_| fail())?;
    let expected = splice(&decoded.text, &json_edits).map_err(|_| fail())?;
    let redecoded = form.decode(&new_raw, 0).ok_or_else(fail)?;
    if redecoded.text != expected || serde_json::from_slice::<serde_json::Value>(&expected).is_err()
    {
        return Err(fail());
    }
    Ok(items)
}

/// A string form JSON text can be held in: how to escape text into it and decode it back.
pub trait Codec: Copy {
    fn encode(self, s: &str) -> String;
    fn decode(self, raw: &[u8], base: usize) -> Option<Decoded>;
}
