//! WIQL, the part integrations use: `SELECT [fields] FROM WorkItems WHERE` conditions
//! joined by `AND` — `=`, `<>`, `<`, `<=`, `>`, `>=`, `CONTAINS`, `IN (...)`, `UNDER` on
//! `[Field]`s against `'text'`, numbers and `@project` — and `ORDER BY`. The answer is
//! ids only, as ADO's is.
//!
//! What the emulator does not understand (`OR`, `NOT`, `EVER`, link queries, `ASOF`,
//! other macros) is refused with ADO's 400 and a message saying the emulator does not
//! support it, so that a test never passes on a query production would read otherwise.

mod parse;

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::fields::{self, Kind};
use super::values::parse_date;
use super::{WorkItem, format_date, split_identity};
use crate::ado_error::AdoError;
pub(crate) use parse::parse;

/// ADO refuses queries that would return more.
const MAX_RESULTS: usize = 20_000;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Operand {
    Text(String),
    Number(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Operator {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Contains,
    In,
    Under,
}

#[derive(Debug, Clone)]
pub(super) struct Condition {
    pub(super) field: &'static str,
    pub(super) operator: Operator,
    pub(super) operands: Vec<Operand>,
}

#[derive(Debug, Clone)]
pub(crate) struct Query {
    pub(super) columns: Vec<&'static str>,
    pub(super) conditions: Vec<Condition>,
    pub(super) order: Vec<(&'static str, bool)>,
}

impl Query {
    /// The live work items the query selects, in its order (by id when it names none).
    pub(crate) fn run<'a>(
        &self,
        items: impl Iterator<Item = &'a WorkItem>,
    ) -> Result<Vec<&'a WorkItem>, AdoError> {
        let mut selected: Vec<&WorkItem> = items
            .filter(|item| item.deleted.is_none())
            .filter(|item| self.conditions.iter().all(|c| c.holds(item)))
            .collect();
        if selected.len() > MAX_RESULTS {
            return Err(AdoError::wiql(format!(
                "VS402337: The number of work items returned exceeds the size limit of {MAX_RESULTS}. \
                 Change the query to return fewer items."
            )));
        }
        selected.sort_by(|a, b| {
            for (field, descending) in &self.order {
                let ordering = compare(&value_of(a, field), &value_of(b, field));
                if ordering != Ordering::Equal {
                    return if *descending {
                        ordering.reverse()
                    } else {
                        ordering
                    };
                }
            }
            a.id.cmp(&b.id)
        });
        Ok(selected)
    }

    /// ADO's answer around the selected ids.
    pub(crate) fn answer(
        &self,
        base: &str,
        org: &str,
        ids: &[(u32, String)],
        now: DateTime<Utc>,
    ) -> Value {
        let column = |name: &'static str| {
            json!({
                "referenceName": name,
                "name": fields::find(name).map_or(name, |f| f.name),
                "url": format!("{base}/{org}/_apis/wit/fields/{name}"),
            })
        };
        let mut body = json!({
            "queryType": "flat",
            "queryResultType": "workItem",
            "asOf": format_date(now),
            "columns": self.columns.iter().map(|c| column(c)).collect::<Vec<_>>(),
            "workItems": ids.iter().map(|(id, url)| json!({"id": id, "url": url})).collect::<Vec<_>>(),
        });
        if !self.order.is_empty() {
            body["sortColumns"] = self
                .order
                .iter()
                .map(
                    |(field, descending)| json!({"field": column(field), "descending": descending}),
                )
                .collect::<Vec<_>>()
                .into();
        }
        body
    }
}

fn value_of(item: &WorkItem, field: &str) -> Value {
    if field == "System.Id" {
        return Value::from(item.id);
    }
    item.fields.get(field).cloned().unwrap_or(Value::Null)
}

impl Condition {
    fn holds(&self, item: &WorkItem) -> bool {
        let value = value_of(item, self.field);
        let kind = fields::find(self.field).map(|f| f.kind);
        let matches = |operand: &Operand| equal(&value, operand, kind);
        match self.operator {
            Operator::Equal => self.operands.iter().any(matches),
            Operator::NotEqual => !self.operands.iter().any(matches),
            Operator::In => self.operands.iter().any(matches),
            Operator::Contains => self.operands.iter().any(|operand| {
                let Operand::Text(wanted) = operand else {
                    return false;
                };
                let text = value.as_str().unwrap_or("");
                if kind == Some(Kind::Tags) {
                    text.split(';')
                        .any(|t| t.trim().eq_ignore_ascii_case(wanted.trim()))
                } else {
                    text.to_lowercase().contains(&wanted.to_lowercase())
                }
            }),
            Operator::Under => self.operands.iter().any(|operand| {
                let (Some(path), Operand::Text(root)) = (value.as_str(), operand) else {
                    return false;
                };
                let (path, root) = (path.to_lowercase(), root.to_lowercase());
                path == root || path.starts_with(&format!("{root}\\"))
            }),
            Operator::Less
            | Operator::LessOrEqual
            | Operator::Greater
            | Operator::GreaterOrEqual => {
                let Some(operand) = self.operands.first() else {
                    return false;
                };
                if value.is_null() {
                    return false;
                }
                let ordering = compare(&value, &operand_value(operand));
                match self.operator {
                    Operator::Less => ordering == Ordering::Less,
                    Operator::LessOrEqual => ordering != Ordering::Greater,
                    Operator::Greater => ordering == Ordering::Greater,
                    _ => ordering != Ordering::Less,
                }
            }
        }
    }
}

fn operand_value(operand: &Operand) -> Value {
    match operand {
        Operand::Text(t) => Value::String(t.clone()),
        Operand::Number(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
    }
}

/// WIQL equality: numbers by value, identities by display name, unique name or both,
/// text in any case.
fn equal(value: &Value, operand: &Operand, kind: Option<Kind>) -> bool {
    match (value, operand) {
        (Value::Number(n), Operand::Number(m)) => n.as_f64() == Some(*m),
        (Value::Number(n), Operand::Text(t)) => t.trim().parse::<f64>().ok() == n.as_f64(),
        (Value::String(s), Operand::Text(t)) if kind == Some(Kind::Identity) => {
            let (display, unique) = split_identity(s);
            [s.as_str(), display, unique]
                .iter()
                .any(|candidate| candidate.eq_ignore_ascii_case(t.trim()))
        }
        (Value::String(s), Operand::Text(t)) => s.eq_ignore_ascii_case(t),
        (Value::String(s), Operand::Number(m)) => s.trim().parse::<f64>().ok() == Some(*m),
        (Value::Null, Operand::Text(t)) => t.is_empty(),
        _ => false,
    }
}

/// Orders numbers as numbers, dates as dates, anything else as text in any case.
fn compare(a: &Value, b: &Value) -> Ordering {
    let number = |v: &Value| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    if let (Some(x), Some(y)) = (number(a), number(b)) {
        return x.partial_cmp(&y).unwrap_or(Ordering::Equal);
    }
    let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
    let (x, y) = (text(a), text(b));
    if let (Some(x), Some(y)) = (parse_date(&x), parse_date(&y)) {
        return x.cmp(&y);
    }
    x.to_lowercase().cmp(&y.to_lowercase())
}
