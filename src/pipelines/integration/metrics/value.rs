//! Finding a custom metric's number: in a command's output (whole, or a regex's capture group)
//! or at a JSON pointer of a JSON document.
//!
//! The reasons returned on failure describe the shape of what was found, never its content: a
//! command's output or a JSON string could hold a secret, and findings are printed everywhere.

use regex::Regex;

/// The number in a command's standard output: the capture group of the first match of `regex`,
/// or the whole output when there is no regex; surrounding white space is ignored.
pub(super) fn number_in_output(output: &str, regex: Option<&Regex>) -> Result<f64, String> {
    let Some(regex) = regex else {
        return parse_number(output.trim()).ok_or_else(|| {
            if output.trim().is_empty() {
                "printed nothing on standard output; it must print the number".to_owned()
            } else {
                format!(
                    "printed {} bytes that are not a number; print only the number, or set \
                     `regex` to pick it out",
                    output.len()
                )
            }
        });
    };
    let Some(caps) = regex.captures(output) else {
        return Err(format!(
            "printed {} bytes in which `regex` finds no match",
            output.len()
        ));
    };
    let text = caps.get(1).map_or("", |m| m.as_str()).trim();
    parse_number(text).ok_or_else(|| {
        format!(
            "the capture group of `regex` holds {} characters that are not a number",
            text.chars().count()
        )
    })
}

/// The number at `pointer` (RFC 6901; empty: the whole document) of the JSON document `text`.
pub(super) fn number_in_json(text: &str, pointer: &str) -> Result<f64, String> {
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "is not valid JSON (line {}, column {}: {})",
            e.line(),
            e.column(),
            classify(&e)
        )
    })?;
    let at = if pointer.is_empty() {
        "the document"
    } else {
        pointer
    };
    let Some(value) = doc.pointer(pointer) else {
        return Err(format!("has no value at `{at}`"));
    };
    let kind = match value {
        serde_json::Value::Number(n) => {
            return n
                .as_f64()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("holds a number at `{at}` that does not fit in 64 bits"));
        }
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    };
    Err(format!("holds {kind} at `{at}`, not a number"))
}

/// What kind of JSON error it is, without quoting the input.
fn classify(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Eof => "the document ends early",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected data",
        serde_json::error::Category::Io => "read error",
    }
}

/// A finite decimal number such as `42`, `-1.5` or `2e6`; `None` for anything else.
fn parse_number(text: &str) -> Option<f64> {
    // `f64::from_str` also takes `inf`, `NaN` and `infinity`: only digits make a number here.
    if !text.contains(|c: char| c.is_ascii_digit()) {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(s: &str) -> Regex {
        Regex::new(s).expect("valid regex")
    }

    #[test]
    fn whole_output_trimmed_is_the_number() {
        assert_eq!(number_in_output("  12345\n", None), Ok(12345.0));
        assert_eq!(number_in_output("-1.5e3", None), Ok(-1500.0));
        let empty = number_in_output(" \n", None).expect_err("nothing printed");
        assert!(empty.contains("printed nothing"), "{empty}");
        let words = number_in_output("size: 12\n", None).expect_err("not only a number");
        assert!(
            words.contains("9 bytes") && words.contains("regex"),
            "{words}"
        );
        for bad in ["inf", "NaN", "infinity", "1e999", "12 kB"] {
            assert!(number_in_output(bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn regex_capture_group_is_the_number() {
        let r = re(r"total size: (\d+(?:\.\d+)?) bytes");
        let out = "files: 3\ntotal size: 4096 bytes\ntotal size: 1 bytes\n";
        assert_eq!(number_in_output(out, Some(&r)), Ok(4096.0));
        let none = number_in_output("nothing here", Some(&r)).expect_err("no match");
        assert!(none.contains("no match"), "{none}");
        let wide = re(r"size: (\S+)");
        let bad = number_in_output("size: big", Some(&wide)).expect_err("not a number");
        assert!(
            bad.contains("3 characters") && !bad.contains("big"),
            "{bad}"
        );
    }

    #[test]
    fn json_pointer_reaches_the_number() {
        let doc = r#"{"assets": [{"name": "main.js", "size": 183250}], "ok": true, "n": null,
                     "s": "secret-ish"}"#;
        assert_eq!(number_in_json(doc, "/assets/0/size"), Ok(183_250.0));
        assert_eq!(number_in_json("42", ""), Ok(42.0));
        let missing = number_in_json(doc, "/assets/1/size").expect_err("missing");
        assert_eq!(missing, "has no value at `/assets/1/size`");
        let string = number_in_json(doc, "/s").expect_err("string");
        assert_eq!(string, "holds a string at `/s`, not a number");
        assert!(!string.contains("secret-ish"));
        assert_eq!(
            number_in_json(doc, "/ok").expect_err("bool"),
            "holds a boolean at `/ok`, not a number"
        );
        assert_eq!(
            number_in_json(doc, "").expect_err("object"),
            "holds an object at `the document`, not a number"
        );
        let broken = number_in_json("{\"a\": ", "/a").expect_err("broken");
        assert!(broken.starts_with("is not valid JSON (line 1"), "{broken}");
    }
}
