//! The metric names that PromQL expressions read, without a PromQL library: identifiers
//! outside label matchers (`{…}`), ranges (`[…]`) and strings, that are neither functions
//! (followed by `(`), aggregation operators, keywords, nor the label lists of `by`,
//! `without`, `on`, `ignoring`, `group_left` and `group_right`. (`make deploy-lint` parses
//! the same expressions with a real PromQL parser.)

const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "sum",
    "min",
    "max",
    "avg",
    "count",
    "stddev",
    "stdvar",
    "topk",
    "bottomk",
    "quantile",
    "count_values",
    "group",
    "inf",
    "nan",
    "atan2",
];
const LABEL_LISTS: &[&str] = &[
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

pub fn metric_names(expr: &str) -> Vec<String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut names = Vec::new();
    let mut i = 0;
    let skip_to = |from: usize, close: char| -> usize {
        let mut j = from;
        let mut quote = None;
        while j < chars.len() {
            match (quote, chars[j]) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), '\\') => j += 1,
                (Some(_), _) => {}
                (None, c @ ('"' | '\'' | '`')) => quote = Some(c),
                (None, c) if c == close => return j + 1,
                _ => {}
            }
            j += 1;
        }
        j
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '{' => i = skip_to(i + 1, '}'),
            '[' => i = skip_to(i + 1, ']'),
            '"' | '\'' | '`' => {
                let quote = c;
                i += 1;
                while i < chars.len() && chars[i] != quote {
                    if chars[i] == '\\' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == '_' || c == ':' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == ':')
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                let mut next = i;
                while next < chars.len() && chars[next].is_whitespace() {
                    next += 1;
                }
                let before = chars[..start].iter().rev().find(|c| !c.is_whitespace());
                if LABEL_LISTS.contains(&word.as_str()) && chars.get(next) == Some(&'(') {
                    i = skip_to(next + 1, ')');
                } else if chars.get(next) == Some(&'(')
                    || KEYWORDS.contains(&word.as_str())
                    || before == Some(&'$')
                {
                    // A function, an operator or a Grafana variable.
                } else {
                    names.push(word);
                }
            }
            c if c.is_ascii_digit() || c == '.' => {
                // A number or a duration (`5m`, `1e3`).
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    names
}

/// The expressions of a Prometheus rules file: each `expr:` value, single-line or a block
/// scalar (`>-`, `|`) of the lines indented below it.
pub fn rule_exprs(yaml: &str) -> Vec<String> {
    let lines: Vec<&str> = yaml.lines().collect();
    let mut exprs = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix("expr:") {
            let rest = rest.trim();
            let indent = line.len() - trimmed.len();
            if rest.starts_with('>') || rest.starts_with('|') {
                let mut block = String::new();
                i += 1;
                while i < lines.len()
                    && (lines[i].trim().is_empty()
                        || lines[i].len() - lines[i].trim_start().len() > indent)
                {
                    block.push_str(lines[i].trim());
                    block.push(' ');
                    i += 1;
                }
                exprs.push(block);
                continue;
            }
            exprs.push(rest.trim_matches(|c| c == '\'' || c == '"').to_owned());
        }
        i += 1;
    }
    exprs
}

/// Every `"expr"` string anywhere in a Grafana dashboard.
pub fn dashboard_exprs(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("expr", serde_json::Value::String(s)) => out.push(s.clone()),
                    _ => dashboard_exprs(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| dashboard_exprs(v, out)),
        _ => {}
    }
}

#[test]
fn names_are_found_and_everything_else_is_not() {
    let names = metric_names(
        r#"histogram_quantile(0.99, sum by (le, direction) (rate(sync_lag_seconds_bucket{x="a{b}"}[$__rate_interval]))) > 60 or max by (q) (dead_letter_messages) - on (integration_id) group_left max(webhook_x) unless time() - 5m"#,
    );
    assert_eq!(
        names,
        [
            "sync_lag_seconds_bucket",
            "dead_letter_messages",
            "webhook_x"
        ]
    );
}
