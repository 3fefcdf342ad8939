//! A Dockerfile reader that keeps line numbers: parser directives (`# escape=`), line
//! continuations (comment and blank lines inside them are dropped, as BuildKit does), heredocs
//! (`RUN <<EOF`, `<<-EOF`, quoted delimiters, several per instruction), case-insensitive
//! keywords, leading `--flags`, `ONBUILD` and the JSON (exec) form.
//!
//! Each [`Instruction`] keeps its logical text with a map from text offsets back to physical
//! lines, so a rule that matches across a continuation still reports the line where the match
//! starts.

/// One instruction: keyword, arguments and where each part of them came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Instruction {
    /// Upper-case keyword (`RUN`, `FROM`, …).
    pub(super) keyword: String,
    /// Line of the keyword, 1-based.
    pub(super) line: u32,
    /// Everything after the keyword: continuation lines joined by a space, then each heredoc
    /// body line after a newline.
    pub(super) args: String,
    /// `(offset in args, line)` where each physical piece of `args` starts, ascending.
    pieces: Vec<(usize, u32)>,
}

impl Instruction {
    /// Physical line of byte `offset` of [`args`](Self::args).
    pub(super) fn line_at(&self, offset: usize) -> u32 {
        let i = self.pieces.partition_point(|(start, _)| *start <= offset);
        self.pieces
            .get(i.saturating_sub(1))
            .map_or(self.line, |(_, line)| *line)
    }

    /// Leading `--name[=value]` flags and the rest of the arguments.
    pub(super) fn flags(&self) -> (Vec<(&str, &str)>, &str) {
        let mut rest = self.args.trim_start();
        let mut flags = Vec::new();
        while let Some(after) = rest.strip_prefix("--") {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            let flag = &after[..end];
            flags.push(flag.split_once('=').unwrap_or((flag, "")));
            rest = after[end..].trim_start();
        }
        (flags, rest)
    }

    /// The instruction an `ONBUILD` wraps, keeping its lines; `None` if it is empty.
    pub(super) fn onbuild_inner(&self) -> Option<Self> {
        let end = self
            .args
            .find(char::is_whitespace)
            .unwrap_or(self.args.len());
        if end == 0 {
            return None;
        }
        let rest = &self.args[end..];
        let skip = end + (rest.len() - rest.trim_start().len());
        Some(Self {
            keyword: self.args[..end].to_ascii_uppercase(),
            line: self.line,
            args: self.args[skip..].to_owned(),
            pieces: self
                .pieces
                .iter()
                .map(|(start, line)| (start.saturating_sub(skip), *line))
                .collect(),
        })
    }
}

/// The elements of a JSON array of strings, if `text` is one.
pub(super) fn exec_form(text: &str) -> Option<Vec<String>> {
    let first_line = text.lines().next().unwrap_or_default().trim();
    if !first_line.starts_with('[') {
        return None;
    }
    serde_json::from_str(first_line).ok()
}

/// Parse a Dockerfile into its instructions.
pub(super) fn parse(text: &str) -> Vec<Instruction> {
    let lines: Vec<&str> = text.lines().collect();
    let mut escape = '\\';
    let mut i = 0;
    // Parser directives: `# name=value` lines at the very top.
    while let Some(line) = lines.get(i) {
        let Some((name, value)) = line
            .trim()
            .strip_prefix('#')
            .and_then(|d| d.split_once('='))
        else {
            break;
        };
        let name = name.trim().to_ascii_lowercase();
        if !matches!(name.as_str(), "escape" | "syntax" | "check") {
            break;
        }
        if name == "escape" && value.trim() == "`" {
            escape = '`';
        }
        i += 1;
    }
    let mut out = Vec::new();
    while i < lines.len() {
        let trimmed = lines[i].trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            i += 1;
            continue;
        }
        let line = line_no(i);
        let mut text = String::new();
        let mut pieces = Vec::new();
        let mut current = trimmed;
        loop {
            let (content, continues) = strip_escape(current, escape);
            if !text.is_empty() {
                text.push(' ');
            }
            pieces.push((text.len(), line_no(i)));
            text.push_str(content);
            i += 1;
            if !continues {
                break;
            }
            while lines
                .get(i)
                .is_some_and(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
            {
                i += 1;
            }
            match lines.get(i) {
                Some(next) => current = next,
                None => break,
            }
        }
        let (keyword, args_start) = match text.find(char::is_whitespace) {
            Some(end) => (&text[..end], end),
            None => (text.as_str(), text.len()),
        };
        let keyword = keyword.to_ascii_uppercase();
        let lead = text[args_start..].len() - text[args_start..].trim_start().len();
        let skip = args_start + lead;
        let mut args = text[skip..].trim_end().to_owned();
        let mut pieces: Vec<(usize, u32)> = pieces
            .into_iter()
            .map(|(start, l)| (start.saturating_sub(skip), l))
            .collect();
        if matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") {
            for (delimiter, strip_tabs) in heredoc_delimiters(&args) {
                while let Some(body) = lines.get(i) {
                    i += 1;
                    let body = if strip_tabs {
                        body.trim_start_matches('\t')
                    } else {
                        body
                    };
                    if body.trim_end() == delimiter {
                        break;
                    }
                    args.push('\n');
                    pieces.push((args.len(), line_no(i - 1)));
                    args.push_str(body);
                }
            }
        }
        out.push(Instruction {
            keyword,
            line,
            args,
            pieces,
        });
    }
    out
}

fn line_no(index: usize) -> u32 {
    u32::try_from(index + 1).unwrap_or(u32::MAX)
}

/// The line without its trailing escape character, and whether it continues.
fn strip_escape(line: &str, escape: char) -> (&str, bool) {
    let trimmed = line.trim_end();
    match trimmed.strip_suffix(escape) {
        Some(content) => (content, true),
        None => (trimmed, false),
    }
}

/// Heredoc delimiters opened by `<<WORD`, `<<-WORD`, `<<"WORD"` or `<<'WORD'`, in order.
fn heredoc_delimiters(args: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = args;
    while let Some(at) = rest.find("<<") {
        let mut after = &rest[at + 2..];
        let strip_tabs = after.starts_with('-');
        if strip_tabs {
            after = &after[1..];
        }
        let quote = after.chars().next().filter(|c| *c == '"' || *c == '\'');
        if let Some(q) = quote {
            after = &after[1..];
            if let Some(end) = after.find(q) {
                out.push((after[..end].to_owned(), strip_tabs));
                rest = &after[end + 1..];
                continue;
            }
        }
        let word: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !word.is_empty() && after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            rest = &after[word.len()..];
            out.push((word, strip_tabs));
        } else {
            rest = after;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_keep_physical_lines() {
        let text = "FROM alpine\nRUN apk add curl \\\n  # a comment inside\n\n    && curl -s x \\\n    | sh\n";
        let ins = parse(text);
        assert_eq!(ins.len(), 2);
        let run = &ins[1];
        assert_eq!((run.keyword.as_str(), run.line), ("RUN", 2));
        assert_eq!(run.args, "apk add curl      && curl -s x      | sh");
        let pipe = run.args.find("| sh").expect("pipe");
        assert_eq!(run.line_at(pipe), 6);
        assert_eq!(run.line_at(0), 2);
    }

    #[test]
    fn escape_directive_and_lower_case_keywords() {
        let text = "# escape=`\nfrom mcr.microsoft.com/windows\nrun echo a `\n  b\n";
        let ins = parse(text);
        assert_eq!(ins[1].keyword, "RUN");
        assert_eq!(ins[1].args, "echo a    b");
    }

    #[test]
    fn heredocs_are_part_of_the_instruction() {
        let text = "RUN <<EOF bash\ncurl x | sh\nEOF\nCOPY <<-\"A\" <<B /x\n\tone\n\tA\ntwo\nB\nUSER app\n";
        let ins = parse(text);
        let keywords: Vec<_> = ins.iter().map(|i| i.keyword.as_str()).collect();
        assert_eq!(keywords, ["RUN", "COPY", "USER"]);
        let run = &ins[0];
        let at = run.args.find("curl").expect("body");
        assert_eq!(run.line_at(at), 2);
        assert_eq!(ins[2].line, 9);
    }

    #[test]
    fn flags_and_exec_form() {
        let ins = parse(
            "RUN --mount=type=cache,target=/var/cache/apt --network=none [\"sh\", \"-c\", \"echo hi\"]\n",
        );
        let (flags, _) = ins[0].flags();
        assert_eq!(flags[0], ("mount", "type=cache,target=/var/cache/apt"));
        assert_eq!(flags[1], ("network", "none"));
        let (_, rest) = ins[0].flags();
        assert_eq!(
            exec_form(rest),
            Some(vec!["sh".to_owned(), "-c".to_owned(), "echo hi".to_owned()])
        );
    }

    #[test]
    fn windows_line_endings_and_unterminated_input() {
        let ins = parse("FROM a\r\nRUN x \\\r\n");
        assert_eq!(ins.len(), 2);
        assert_eq!(ins[1].args, "x");
        assert!(parse("RUN <<EOF\nno end").len() == 1);
    }
}
