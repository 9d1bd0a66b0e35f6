//! The samples of a Prometheus text page (`/metrics`), read well enough for the tests:
//! `name{label="value",...} number`, where a label value may hold `{`, `}`, `,` and
//! escaped quotes (route patterns do: `route="/v1/action-items/{id}"`).

// Shared by several test binaries, each using a part.
#![allow(dead_code)]

use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// Every sample of `page`; comment lines (`# HELP`, `# TYPE`) and blank lines skipped.
pub fn parse(page: &str) -> Vec<Sample> {
    page.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| sample(l).unwrap_or_else(|| panic!("not a Prometheus sample line: {l}")))
        .collect()
}

fn sample(line: &str) -> Option<Sample> {
    let name_end = line.find(['{', ' '])?;
    let name = line[..name_end].to_owned();
    let mut labels = BTreeMap::new();
    let mut rest = &line[name_end..];
    if let Some(inner) = rest.strip_prefix('{') {
        let mut chars = inner.char_indices();
        loop {
            // key="value", then `,` or `}`
            let (start, c) = chars.next()?;
            if c == '}' {
                rest = &inner[start + 1..];
                break;
            }
            if c == ',' {
                continue;
            }
            let eq = inner[start..].find('=')? + start;
            let key = inner[start..eq].trim().to_owned();
            while chars.next()?.0 < eq + 1 {}
            let mut value = String::new();
            loop {
                match chars.next()?.1 {
                    '\\' => match chars.next()?.1 {
                        'n' => value.push('\n'),
                        other => value.push(other),
                    },
                    '"' => break,
                    other => value.push(other),
                }
            }
            labels.insert(key, value);
        }
    }
    let value = rest.split_whitespace().next()?;
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse().ok()?,
    };
    Some(Sample {
        name,
        labels,
        value,
    })
}

/// The metric a sample belongs to: a histogram's or summary's `_bucket` / `_sum` /
/// `_count` series are its own.
pub fn family(name: &str) -> &str {
    ["_bucket", "_sum", "_count"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name)
}

/// The sum of the samples named `name` that carry every label of `labels`.
pub fn sum(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    matching(samples, name, labels).map(|s| s.value).sum()
}

/// The samples named `name` that carry every label of `labels`.
pub fn matching<'a>(
    samples: &'a [Sample],
    name: &'a str,
    labels: &'a [(&'a str, &'a str)],
) -> impl Iterator<Item = &'a Sample> + 'a {
    samples.iter().filter(move |s| {
        s.name == name
            && labels
                .iter()
                .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
    })
}

#[test]
fn label_values_may_hold_braces_commas_and_escaped_quotes() {
    let page = "# HELP x y\n\
        http_requests_total{method=\"GET\",route=\"/v1/items/{id}\",status=\"200\"} 3\n\
        odd{a=\"x,\\\"y\\\"}\"} 1.5\n\
        outbox_backlog 0\n\
        h_bucket{le=\"+Inf\"} 7\n";
    let samples = parse(page);
    assert_eq!(samples.len(), 4);
    assert_eq!(samples[0].labels["route"], "/v1/items/{id}");
    assert_eq!(samples[0].labels["status"], "200");
    assert_eq!(samples[0].value, 3.0);
    assert_eq!(samples[1].labels["a"], "x,\"y\"}");
    assert_eq!(samples[2].name, "outbox_backlog");
    assert_eq!(samples[3].labels["le"], "+Inf");
    assert_eq!(
        sum(&samples, "http_requests_total", &[("method", "GET")]),
        3.0
    );
    assert_eq!(
        sum(&samples, "http_requests_total", &[("method", "POST")]),
        0.0
    );
    assert_eq!(family("h_bucket"), "h");
    assert_eq!(family("sync_lag_seconds_count"), "sync_lag_seconds");
    assert_eq!(family("outbox_backlog"), "outbox_backlog");
}
