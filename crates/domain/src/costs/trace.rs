//! "How was this computed": every figure a scenario shows, with its formula
//! and the inputs it came from (each input may itself be a figure).

use serde::Serialize;

/// One input to a figure. `key` points to another figure when the input
/// was itself computed; `source` says where a raw input came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceInput {
    pub label: String,
    pub value: String,
    pub key: Option<String>,
    pub source: String,
}

/// One figure: what it is, its value as shown, and how it was computed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Figure {
    pub key: String,
    pub label: String,
    pub value: String,
    pub formula: String,
    pub inputs: Vec<TraceInput>,
}

/// All figures of one result, in the order they were computed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Trace {
    pub figures: Vec<Figure>,
}

impl Trace {
    pub fn get(&self, key: &str) -> Option<&Figure> {
        self.figures.iter().find(|f| f.key == key)
    }

    pub(crate) fn add(
        &mut self,
        key: impl Into<String>,
        label: impl Into<String>,
        value: impl Into<String>,
        formula: impl Into<String>,
    ) -> &mut Figure {
        self.figures.push(Figure {
            key: key.into(),
            label: label.into(),
            value: value.into(),
            formula: formula.into(),
            inputs: Vec::new(),
        });
        self.figures.last_mut().expect("just pushed")
    }
}

impl Figure {
    /// An input computed elsewhere in the trace.
    pub(crate) fn input_figure(
        &mut self,
        label: impl Into<String>,
        value: impl Into<String>,
        key: impl Into<String>,
    ) -> &mut Self {
        self.inputs.push(TraceInput {
            label: label.into(),
            value: value.into(),
            key: Some(key.into()),
            source: String::new(),
        });
        self
    }

    /// A raw input and where it came from.
    pub(crate) fn input(
        &mut self,
        label: impl Into<String>,
        value: impl Into<String>,
        source: impl Into<String>,
    ) -> &mut Self {
        self.inputs.push(TraceInput {
            label: label.into(),
            value: value.into(),
            key: None,
            source: source.into(),
        });
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_found_by_key_with_their_inputs() {
        let mut t = Trace::default();
        t.add("a", "A", "1 kr", "given")
            .input("x", "1", "kostnadsmodellen");
        t.add("b", "B", "2 kr", "A × 2")
            .input_figure("A", "1 kr", "a");
        assert_eq!(t.get("b").unwrap().inputs[0].key.as_deref(), Some("a"));
        assert_eq!(t.get("a").unwrap().inputs[0].source, "kostnadsmodellen");
        assert!(t.get("c").is_none());
    }
}
