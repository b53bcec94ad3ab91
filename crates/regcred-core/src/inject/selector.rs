//! Label selectors as `kubectl -l` reads them: `app=web,tier!=db,env in (prod,stage),!legacy`.

/// A parsed label selector: every requirement must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Selector {
    requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Requirement {
    key: String,
    op: Op,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Exists,
    NotExists,
    In(Vec<String>),
    NotIn(Vec<String>),
}

impl Selector {
    /// Parses the selector text.
    ///
    /// # Errors
    /// A reason naming what was expected where, for the caller to wrap with the selector.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut cursor = Cursor { rest: text.trim() };
        let mut requirements = Vec::new();
        while !cursor.rest.is_empty() {
            requirements.push(cursor.requirement()?);
            cursor.skip_blanks();
            if !cursor.rest.is_empty() && !cursor.eat(",") {
                return Err(format!("expected ',' before '{}'", cursor.rest));
            }
            cursor.skip_blanks();
        }
        if requirements.is_empty() {
            return Err("the selector is empty".to_owned());
        }
        Ok(Self { requirements })
    }

    /// Whether labels, looked up by key, satisfy every requirement.
    pub fn matches<'l>(&self, label: impl Fn(&str) -> Option<&'l str>) -> bool {
        self.requirements.iter().all(|req| {
            let value = label(&req.key);
            match &req.op {
                Op::Exists => value.is_some(),
                Op::NotExists => value.is_none(),
                Op::In(values) => value.is_some_and(|v| values.iter().any(|w| w == v)),
                Op::NotIn(values) => value.is_none_or(|v| values.iter().all(|w| w != v)),
            }
        })
    }
}

struct Cursor<'s> {
    rest: &'s str,
}

impl Cursor<'_> {
    fn skip_blanks(&mut self) {
        self.rest = self.rest.trim_start();
    }

    fn eat(&mut self, token: &str) -> bool {
        match self.rest.strip_prefix(token) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn word(&mut self, what: &str) -> Result<String, String> {
        let len = self
            .rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/')))
            .unwrap_or(self.rest.len());
        let (word, rest) = self.rest.split_at(len);
        if word.is_empty() && what == "label key" {
            return Err(format!("expected a {what} at '{}'", self.rest));
        }
        self.rest = rest;
        Ok(word.to_owned())
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        if self.eat("!") {
            self.skip_blanks();
            return Ok(Requirement {
                key: self.word("label key")?,
                op: Op::NotExists,
            });
        }
        let key = self.word("label key")?;
        self.skip_blanks();
        let op = if self.eat("==") || self.eat("=") {
            self.skip_blanks();
            Op::In(vec![self.word("label value")?])
        } else if self.eat("!=") {
            self.skip_blanks();
            Op::NotIn(vec![self.word("label value")?])
        } else if self.keyword("notin") {
            Op::NotIn(self.value_set()?)
        } else if self.keyword("in") {
            Op::In(self.value_set()?)
        } else if self.rest.is_empty() || self.rest.starts_with(',') {
            Op::Exists
        } else {
            return Err(format!(
                "expected '=', '==', '!=', 'in' or 'notin' after '{key}', found '{}'",
                self.rest
            ));
        };
        Ok(Requirement { key, op })
    }

    fn keyword(&mut self, word: &str) -> bool {
        let Some(rest) = self.rest.strip_prefix(word) else {
            return false;
        };
        if rest.starts_with(|c: char| c.is_whitespace() || c == '(') {
            self.rest = rest.trim_start();
            true
        } else {
            false
        }
    }

    fn value_set(&mut self) -> Result<Vec<String>, String> {
        if !self.eat("(") {
            return Err(format!("expected '(' at '{}'", self.rest));
        }
        let mut values = Vec::new();
        loop {
            self.skip_blanks();
            values.push(self.word("label value")?);
            self.skip_blanks();
            if self.eat(")") {
                return Ok(values);
            }
            if !self.eat(",") {
                return Err(format!("expected ',' or ')' at '{}'", self.rest));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<&'a str> {
        move |key| pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    #[test]
    fn equality_and_inequality_follow_kubectl() {
        let selector = Selector::parse("app=web, tier != db").unwrap();
        assert!(selector.matches(labels(&[("app", "web")])));
        assert!(selector.matches(labels(&[("app", "web"), ("tier", "fe")])));
        assert!(!selector.matches(labels(&[("app", "web"), ("tier", "db")])));
        assert!(!selector.matches(labels(&[("app", "api")])));
    }

    #[test]
    fn set_based_requirements_match() {
        let selector = Selector::parse("env in (prod, stage),!legacy,team,x notin (a)").unwrap();
        assert!(selector.matches(labels(&[("env", "prod"), ("team", "t")])));
        assert!(!selector.matches(labels(&[("env", "dev"), ("team", "t")])));
        assert!(!selector.matches(labels(&[("env", "prod"), ("team", "t"), ("legacy", "")])));
        assert!(!selector.matches(labels(&[("env", "prod"), ("team", "t"), ("x", "a")])));
        assert!(!selector.matches(labels(&[("env", "prod")])));
    }

    #[test]
    fn prefixed_keys_and_double_equals_parse() {
        let selector = Selector::parse("app.kubernetes.io/name==web").unwrap();
        assert!(selector.matches(labels(&[("app.kubernetes.io/name", "web")])));
    }

    #[test]
    fn malformed_selectors_are_refused_with_the_place() {
        assert!(Selector::parse("").is_err());
        assert!(Selector::parse("app>1").unwrap_err().contains("app"));
        assert!(Selector::parse("env in prod").is_err());
        assert!(Selector::parse("env in (a,b").is_err());
        assert!(Selector::parse("a=b c=d").is_err());
    }
}
