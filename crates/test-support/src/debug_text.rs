//! A reader of Rust's derived `Debug` text (`Name { field: value }`, `Name(value)`,
//! `[..]`, `{key: value}`, strings, atoms), enough to walk a value whose type keeps its
//! fields private — actix-web's resource map, for the route census.

/// One value of `Debug` text.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string literal, unescaped.
    Str(String),
    /// A number, `true`, `None`, a unit variant, a char literal as written.
    Atom(String),
    /// `Name { a: x, b: y }` (also `Name { .. }`).
    Struct(String, Vec<(String, Value)>),
    /// `Name(x, y)`, or `(x, y)` with an empty name.
    Tuple(String, Vec<Value>),
    /// `[x, y]`.
    List(Vec<Value>),
    /// `{k: v}`, or a set `{v}` (each key paired with `Atom("")`).
    Map(Vec<(Value, Value)>),
}

impl Value {
    pub fn field(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Struct(_, fields) => fields.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Parses `text`, which must be one whole value.
pub fn parse(text: &str) -> Result<Value, String> {
    let mut reader = Reader {
        chars: text.chars().collect(),
        at: 0,
    };
    let value = reader.value()?;
    reader.blank();
    if reader.at == reader.chars.len() {
        Ok(value)
    } else {
        Err(reader.error("text after the value"))
    }
}

struct Reader {
    chars: Vec<char>,
    at: usize,
}

const DELIMITERS: &str = "{}[](),:\"'";

impl Reader {
    fn error(&self, what: &str) -> String {
        let context: String = self.chars.iter().skip(self.at).take(40).collect();
        format!("{what} at {} (before {context:?})", self.at)
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn blank(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.blank();
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(&format!("expected {c:?}")))
        }
    }

    /// A bare word: `Some`, `true`, `12`, `-1.5`, `alloc::string::String`, `PhantomData<T>`.
    fn atom(&mut self) -> String {
        let mut out = String::new();
        let mut angle = 0usize;
        while let Some(c) = self.peek() {
            let path_colon = c == ':' && self.chars.get(self.at + 1) == Some(&':');
            let inside_generics = angle > 0 && !"{}[]()\"".contains(c);
            if path_colon {
                out.push_str("::");
                self.at += 2;
                continue;
            }
            if !inside_generics && (c.is_whitespace() || DELIMITERS.contains(c)) {
                break;
            }
            match c {
                '<' => angle += 1,
                '>' => angle = angle.saturating_sub(1),
                _ => {}
            }
            out.push(c);
            self.at += 1;
        }
        out
    }

    fn string(&mut self, quote: char) -> Result<String, String> {
        self.expect(quote)?;
        let mut out = String::new();
        loop {
            let c = self
                .peek()
                .ok_or_else(|| self.error("unterminated string"))?;
            self.at += 1;
            match c {
                c if c == quote => return Ok(out),
                '\\' => {
                    let e = self
                        .peek()
                        .ok_or_else(|| self.error("unterminated escape"))?;
                    self.at += 1;
                    match e {
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        '0' => out.push('\0'),
                        'u' => {
                            self.expect('{')?;
                            let mut hex = String::new();
                            while let Some(h) = self.peek().filter(|h| *h != '}') {
                                hex.push(h);
                                self.at += 1;
                            }
                            self.expect('}')?;
                            let code = u32::from_str_radix(&hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or_else(|| self.error("bad \\u escape"))?;
                            out.push(code);
                        }
                        other => out.push(other),
                    }
                }
                c => out.push(c),
            }
        }
    }

    /// Values separated by commas up to `close` (a trailing comma allowed).
    fn sequence<T>(
        &mut self,
        close: char,
        mut item: impl FnMut(&mut Self) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        let mut items = Vec::new();
        loop {
            if self.eat(close) {
                return Ok(items);
            }
            items.push(item(self)?);
            if !self.eat(',') {
                self.expect(close)?;
                return Ok(items);
            }
        }
    }

    fn value(&mut self) -> Result<Value, String> {
        self.blank();
        match self.peek() {
            None => Err(self.error("expected a value")),
            Some('"') => self.string('"').map(Value::Str),
            Some('\'') => self.string('\'').map(Value::Atom),
            Some('[') => {
                self.at += 1;
                self.sequence(']', Self::value).map(Value::List)
            }
            Some('(') => {
                self.at += 1;
                self.sequence(')', Self::value)
                    .map(|items| Value::Tuple(String::new(), items))
            }
            Some('{') => {
                self.at += 1;
                self.sequence('}', |r| {
                    let key = r.value()?;
                    let value = if r.eat(':') {
                        r.value()?
                    } else {
                        Value::Atom(String::new())
                    };
                    Ok((key, value))
                })
                .map(Value::Map)
            }
            Some(_) => {
                let name = self.atom();
                if name.is_empty() {
                    return Err(self.error("unexpected character"));
                }
                self.blank();
                match self.peek() {
                    Some('(') => {
                        self.at += 1;
                        self.sequence(')', Self::value)
                            .map(|items| Value::Tuple(name, items))
                    }
                    Some('{') => {
                        self.at += 1;
                        self.sequence('}', |r| {
                            r.blank();
                            if r.chars.get(r.at..r.at + 2) == Some(&['.', '.']) {
                                r.at += 2;
                                return Ok((String::from(".."), Value::Atom(String::new())));
                            }
                            let field = r.atom();
                            r.expect(':')?;
                            Ok((field, r.value()?))
                        })
                        .map(|fields| Value::Struct(name, fields))
                    }
                    _ => Ok(Value::Atom(name)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structs_tuples_lists_maps_and_strings_are_read() {
        let text = r#"Outer { a: Some([1, 2]), b: "x \"y\" \u{e9}", c: {"k": Inner(true)}, d: RefCell { value: (Weak) }, e: PhantomData<alloc::string::String>, f: Open { .. } }"#;
        let value = parse(text).expect("parses");
        assert_eq!(
            value.field("a"),
            Some(&Value::Tuple(
                "Some".into(),
                vec![Value::List(vec![
                    Value::Atom("1".into()),
                    Value::Atom("2".into())
                ])]
            ))
        );
        assert_eq!(value.field("b"), Some(&Value::Str("x \"y\" é".into())));
        assert!(matches!(value.field("c"), Some(Value::Map(m)) if m.len() == 1));
        assert_eq!(
            value.field("e"),
            Some(&Value::Atom("PhantomData<alloc::string::String>".into()))
        );
    }

    #[test]
    fn broken_text_is_an_error_not_a_guess() {
        assert!(parse("Outer { a: [1, 2 }").is_err());
        assert!(parse("\"open").is_err());
        assert!(parse("A B").is_err());
    }
}
