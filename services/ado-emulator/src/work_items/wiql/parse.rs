//! Reading a WIQL statement into a [`Query`]: a tokenizer and a small recursive-descent
//! parser for the supported grammar, refusing the rest with ADO's `TF51005` / `TF51006`.

use super::{Condition, Operand, Operator, Query};
use crate::ado_error::AdoError;
use crate::process;
use crate::seed::Process;
use crate::work_items::fields;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Field(String),
    Text(String),
    Number(f64),
    Macro(String),
    Word(String),
    Symbol(&'static str),
}

fn syntax(cause: &str) -> AdoError {
    AdoError::wiql(format!(
        "TF51006: The query statement is not valid. The error is caused by «{cause}»."
    ))
}

fn unsupported(cause: &str) -> AdoError {
    AdoError::wiql(format!(
        "TF51006: The ADO emulator does not support this part of WIQL. The error is caused \
         by «{cause}»."
    ))
}

fn tokenize(text: &str) -> Result<Vec<Token>, AdoError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '[' {
            let end = chars[i..]
                .iter()
                .position(|&c| c == ']')
                .ok_or_else(|| syntax("["))?;
            tokens.push(Token::Field(chars[i + 1..i + end].iter().collect()));
            i += end + 1;
        } else if c == '\'' || c == '"' {
            let quote = c;
            let mut value = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(syntax(&format!("{quote}{value}"))),
                    Some(&ch) if ch == quote && chars.get(i + 1) == Some(&quote) => {
                        value.push(quote);
                        i += 2;
                    }
                    Some(&ch) if ch == quote => {
                        i += 1;
                        break;
                    }
                    Some(&ch) => {
                        value.push(ch);
                        i += 1;
                    }
                }
            }
            tokens.push(Token::Text(value));
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let start = i;
            i += 1;
            while chars
                .get(i)
                .is_some_and(|c| c.is_ascii_digit() || *c == '.')
            {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            tokens.push(Token::Number(text.parse().map_err(|_| syntax(&text))?));
        } else if c == '@' || c.is_alphabetic() || c == '_' {
            let start = i;
            i += 1;
            while chars
                .get(i)
                .is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            tokens.push(match word.strip_prefix('@') {
                Some(name) => Token::Macro(name.to_ascii_lowercase()),
                None => Token::Word(word),
            });
        } else {
            let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
            let symbol = match (two.as_str(), c) {
                ("<>", _) => "<>",
                ("<=", _) => "<=",
                (">=", _) => ">=",
                ("!=", _) => "<>",
                (_, '=') => "=",
                (_, '<') => "<",
                (_, '>') => ">",
                (_, '(') => "(",
                (_, ')') => ")",
                (_, ',') => ",",
                _ => return Err(syntax(&c.to_string())),
            };
            i += if symbol.len() == 2 || two == "!=" {
                2
            } else {
                1
            };
            tokens.push(Token::Symbol(symbol));
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    process: Process,
    /// `@project`'s value, when the query runs in a project.
    project: Option<String>,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn keyword(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn describe(token: Option<&Token>) -> String {
        match token {
            None => "end of statement".to_owned(),
            Some(Token::Field(f)) => format!("[{f}]"),
            Some(Token::Text(t)) => format!("'{t}'"),
            Some(Token::Number(n)) => n.to_string(),
            Some(Token::Macro(m)) => format!("@{m}"),
            Some(Token::Word(w)) => w.clone(),
            Some(Token::Symbol(s)) => (*s).to_owned(),
        }
    }

    fn field(&mut self, allow_bare: bool) -> Result<&'static str, AdoError> {
        let (name, shown) = match self.next() {
            Some(Token::Field(f)) => (f.clone(), format!("[{f}]")),
            Some(Token::Word(w)) if allow_bare && w.contains('.') => (w.clone(), w),
            other => return Err(syntax(&Self::describe(other.as_ref()))),
        };
        let def = fields::find(&name)
            .filter(|d| process::process_has_field(self.process, d.reference_name))
            .ok_or_else(|| {
                AdoError::wiql(format!(
                    "TF51005: The query references a field that does not exist. The error \
                     is caused by «{shown}»."
                ))
            })?;
        Ok(def.reference_name)
    }

    fn operand(&mut self) -> Result<Operand, AdoError> {
        match self.next() {
            Some(Token::Text(t)) => Ok(Operand::Text(t)),
            Some(Token::Number(n)) => Ok(Operand::Number(n)),
            Some(Token::Macro(m)) if m == "project" => match &self.project {
                Some(project) => Ok(Operand::Text(project.clone())),
                None => Err(AdoError::wiql(
                    "TF51011: The @project macro needs a project: post the query to \
                     {org}/{project}/_apis/wit/wiql."
                        .to_owned(),
                )),
            },
            Some(Token::Macro(m)) => Err(unsupported(&format!("@{m}"))),
            other => Err(syntax(&Self::describe(other.as_ref()))),
        }
    }

    fn condition(&mut self) -> Result<Condition, AdoError> {
        if matches!(self.peek(), Some(Token::Symbol("("))) {
            self.at += 1;
            let inner = self.condition()?;
            match self.next() {
                Some(Token::Symbol(")")) => return Ok(inner),
                other => {
                    let shown = Self::describe(other.as_ref());
                    return Err(
                        if shown.eq_ignore_ascii_case("or") || shown.eq_ignore_ascii_case("and") {
                            unsupported(&shown)
                        } else {
                            syntax(&shown)
                        },
                    );
                }
            }
        }
        if let Some(Token::Word(w)) = self.peek()
            && w.eq_ignore_ascii_case("not")
        {
            return Err(unsupported("NOT"));
        }
        let field = self.field(true)?;
        let operator = match self.next() {
            Some(Token::Symbol("=")) => Operator::Equal,
            Some(Token::Symbol("<>")) => Operator::NotEqual,
            Some(Token::Symbol("<")) => Operator::Less,
            Some(Token::Symbol("<=")) => Operator::LessOrEqual,
            Some(Token::Symbol(">")) => Operator::Greater,
            Some(Token::Symbol(">=")) => Operator::GreaterOrEqual,
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("contains") => {
                if self.keyword("words") {
                    return Err(unsupported("CONTAINS WORDS"));
                }
                Operator::Contains
            }
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("in") => Operator::In,
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("under") => Operator::Under,
            Some(Token::Word(w))
                if ["not", "ever", "was"]
                    .iter()
                    .any(|k| w.eq_ignore_ascii_case(k)) =>
            {
                return Err(unsupported(&w));
            }
            other => return Err(syntax(&Self::describe(other.as_ref()))),
        };
        let operands = if operator == Operator::In {
            match self.next() {
                Some(Token::Symbol("(")) => {}
                other => return Err(syntax(&Self::describe(other.as_ref()))),
            }
            let mut list = vec![self.operand()?];
            loop {
                match self.next() {
                    Some(Token::Symbol(",")) => list.push(self.operand()?),
                    Some(Token::Symbol(")")) => break,
                    other => return Err(syntax(&Self::describe(other.as_ref()))),
                }
            }
            list
        } else {
            vec![self.operand()?]
        };
        Ok(Condition {
            field,
            operator,
            operands,
        })
    }

    fn query(&mut self) -> Result<Query, AdoError> {
        if !self.keyword("select") {
            return Err(syntax(&Self::describe(self.peek())));
        }
        let mut columns = vec![self.field(true)?];
        while matches!(self.peek(), Some(Token::Symbol(","))) {
            self.at += 1;
            columns.push(self.field(true)?);
        }
        if !self.keyword("from") {
            return Err(AdoError::wiql(format!(
                "TF51006: The query statement is missing a FROM clause. The error is caused \
                 by «{}».",
                Self::describe(self.peek())
            )));
        }
        match self.next() {
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("workitems") => {}
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("workitemlinks") => {
                return Err(unsupported(&w));
            }
            other => return Err(syntax(&Self::describe(other.as_ref()))),
        }
        let mut conditions = Vec::new();
        if self.keyword("where") {
            conditions.push(self.condition()?);
            loop {
                if self.keyword("and") {
                    conditions.push(self.condition()?);
                } else if self.keyword("or") {
                    return Err(unsupported("OR"));
                } else {
                    break;
                }
            }
        }
        let mut order = Vec::new();
        if self.keyword("order") {
            if !self.keyword("by") {
                return Err(syntax(&Self::describe(self.peek())));
            }
            loop {
                let field = self.field(true)?;
                let descending = if self.keyword("desc") {
                    true
                } else {
                    self.keyword("asc");
                    false
                };
                order.push((field, descending));
                if matches!(self.peek(), Some(Token::Symbol(","))) {
                    self.at += 1;
                } else {
                    break;
                }
            }
        }
        match self.peek() {
            None => Ok(Query {
                columns,
                conditions,
                order,
            }),
            Some(Token::Word(w))
                if w.eq_ignore_ascii_case("asof") || w.eq_ignore_ascii_case("mode") =>
            {
                Err(unsupported(w))
            }
            other => Err(syntax(&Self::describe(other))),
        }
    }
}

/// Parses a WIQL statement for a process, with `@project` bound to `project`.
pub(crate) fn parse(
    text: &str,
    process: Process,
    project: Option<&str>,
) -> Result<Query, AdoError> {
    Parser {
        tokens: tokenize(text)?,
        at: 0,
        process,
        project: project.map(str::to_owned),
    }
    .query()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::work_items::wiql::Operand;

    fn parse_agile(text: &str) -> Result<Query, AdoError> {
        parse(text, Process::Agile, Some("Alpha"))
    }

    #[test]
    fn the_clauses_integrations_use_parse() {
        let query = parse_agile(
            "SELECT [System.Id] FROM WorkItems WHERE [System.TeamProject] = @project \
             AND [System.Tags] CONTAINS 'P2A Navigator' AND [System.State] <> 'Closed' \
             ORDER BY [System.ChangedDate] DESC",
        )
        .expect("supported");
        assert_eq!(query.conditions.len(), 3);
        assert_eq!(
            query.conditions[0].operands,
            [Operand::Text("Alpha".into())]
        );
        assert_eq!(query.order, [("System.ChangedDate", true)]);
    }

    #[test]
    fn quotes_are_escaped_by_doubling() {
        let query = parse_agile("SELECT [System.Id] FROM WorkItems WHERE [System.Title] = 'it''s'")
            .expect("supported");
        assert_eq!(query.conditions[0].operands, [Operand::Text("it's".into())]);
    }

    #[test]
    fn an_unknown_field_is_tf51005() {
        let err = parse_agile("SELECT [System.Id] FROM WorkItems WHERE [Custom.Nope] = 'x'")
            .expect_err("refused");
        assert!(err.message().starts_with("TF51005"), "{}", err.message());
        assert!(err.message().contains("«[Custom.Nope]»"));
    }

    #[test]
    fn or_not_and_link_queries_are_refused_as_unsupported() {
        for text in [
            "SELECT [System.Id] FROM WorkItems WHERE [System.State] = 'New' OR [System.State] = 'Active'",
            "SELECT [System.Id] FROM WorkItems WHERE NOT [System.State] = 'New'",
            "SELECT [System.Id] FROM WorkItemLinks",
            "SELECT [System.Id] FROM WorkItems WHERE [System.AssignedTo] = @me",
        ] {
            let err = parse_agile(text).expect_err("refused");
            assert!(
                err.message().contains("does not support"),
                "{text}: {}",
                err.message()
            );
        }
    }

    #[test]
    fn a_missing_from_is_ados_message() {
        let err = parse_agile("SELECT TOP 5 [System.Id] FROM WorkItems").expect_err("refused");
        assert!(err.message().starts_with("TF51006"), "{}", err.message());
    }
}
