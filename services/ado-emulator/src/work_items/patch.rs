//! The JSON Patch documents of the work item write routes: `[{"op", "path", "value"}]`
//! with the paths ADO accepts (`/fields/{ref}`, `/relations/-`, `/relations/{n}`,
//! `/rev`, `/id`). Parsing only; [`super::edit`] applies them.

use serde_json::Value;

use crate::ado_error::AdoError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpKind {
    Add,
    Replace,
    Remove,
    Test,
}

/// What an operation addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Field(String),
    Rev,
    Id,
    /// `/relations/-`: append a link.
    RelationsEnd,
    /// `/relations/{n}`.
    Relation(usize),
    /// `/relations/{n}/attributes/{name}`.
    RelationAttribute(usize, String),
    /// `/multilineFieldsFormat/{ref}` (7.1's Markdown switch): accepted and ignored.
    MultilineFormat,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Op {
    pub(crate) kind: OpKind,
    pub(crate) target: Target,
    pub(crate) path: String,
    pub(crate) value: Value,
}

/// Parses a JSON Patch body; anything but an array of operations is ADO's 400.
pub(crate) fn parse(body: &[u8]) -> Result<Vec<Op>, AdoError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|_| AdoError::invalid_patch_document())?;
    let Value::Array(items) = value else {
        return Err(AdoError::invalid_patch_document());
    };
    items.iter().map(parse_op).collect()
}

fn parse_op(item: &Value) -> Result<Op, AdoError> {
    let object = item
        .as_object()
        .ok_or_else(AdoError::invalid_patch_document)?;
    let op = object
        .get("op")
        .and_then(Value::as_str)
        .ok_or_else(AdoError::invalid_patch_document)?;
    let path = object
        .get("path")
        .and_then(Value::as_str)
        .ok_or_else(AdoError::invalid_patch_document)?;
    let kind = match op.to_ascii_lowercase().as_str() {
        "add" => OpKind::Add,
        "replace" => OpKind::Replace,
        "remove" => OpKind::Remove,
        "test" => OpKind::Test,
        "copy" | "move" => {
            return Err(AdoError::patch_operation_failed(format!(
                "The '{op}' operation is not supported on work items."
            )));
        }
        _ => return Err(AdoError::invalid_patch_document()),
    };
    let target = parse_path(path)?;
    let value = object.get("value").cloned().unwrap_or(Value::Null);
    if kind != OpKind::Remove && !object.contains_key("value") {
        return Err(AdoError::patch_operation_failed(format!(
            "The '{op}' operation on {path} needs a value."
        )));
    }
    Ok(Op {
        kind,
        target,
        path: path.to_owned(),
        value,
    })
}

fn parse_path(path: &str) -> Result<Target, AdoError> {
    let unsupported = || {
        AdoError::patch_operation_failed(format!(
            "The path {path} is not a work item path: use /fields/{{referenceName}}, \
             /relations/-, /relations/{{index}} or /rev."
        ))
    };
    let segments: Vec<String> = path
        .strip_prefix('/')
        .ok_or_else(unsupported)?
        .split('/')
        // JSON Pointer escapes.
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let index = |text: &str| text.parse::<usize>().map_err(|_| unsupported());
    match (lower.as_slice(), segments.as_slice()) {
        (["fields", _], [_, name]) if !name.trim().is_empty() => {
            Ok(Target::Field((*name).to_owned()))
        }
        (["rev"], _) => Ok(Target::Rev),
        (["id"], _) => Ok(Target::Id),
        (["relations", "-"], _) => Ok(Target::RelationsEnd),
        (["relations", n], _) => Ok(Target::Relation(index(n)?)),
        (["relations", n, "attributes", _], [.., name]) => {
            Ok(Target::RelationAttribute(index(n)?, (*name).to_owned()))
        }
        (["multilinefieldsformat", _], _) => Ok(Target::MultilineFormat),
        _ => Err(unsupported()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_relation_and_rev_paths_are_understood() {
        let ops = parse(
            br#"[{"op":"test","path":"/rev","value":3},
                 {"op":"add","path":"/fields/System.Title","value":"x"},
                 {"op":"remove","path":"/fields/System.Tags"},
                 {"op":"add","path":"/relations/-","value":{"rel":"Hyperlink","url":"u"}},
                 {"op":"remove","path":"/relations/0"},
                 {"op":"replace","path":"/relations/1/attributes/comment","value":"c"}]"#,
        )
        .expect("a valid patch");
        let targets: Vec<_> = ops.into_iter().map(|o| o.target).collect();
        assert_eq!(
            targets,
            [
                Target::Rev,
                Target::Field("System.Title".into()),
                Target::Field("System.Tags".into()),
                Target::RelationsEnd,
                Target::Relation(0),
                Target::RelationAttribute(1, "comment".into()),
            ]
        );
    }

    #[test]
    fn a_body_that_is_not_an_array_of_operations_is_refused() {
        for body in [
            &br#"{"op":"add"}"#[..],
            b"not json",
            br#"[{"path":"/rev"}]"#,
        ] {
            let err = parse(body).expect_err("refused");
            assert_eq!(err.status().as_u16(), 400);
        }
    }

    #[test]
    fn copy_move_and_unknown_paths_are_refused() {
        assert!(parse(br#"[{"op":"copy","path":"/fields/A","from":"/fields/B"}]"#).is_err());
        assert!(parse(br#"[{"op":"add","path":"/title","value":"x"}]"#).is_err());
        assert!(parse(br#"[{"op":"add","path":"/fields/A"}]"#).is_err());
    }
}
