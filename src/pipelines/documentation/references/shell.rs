//! Commands in shell code blocks, and what each one runs.
//!
//! This is not a shell: it splits lines into words the way a reader would (quotes, escapes,
//! `\` continuations, `&&`, `||`, `;`, `|`, comments, redirections, here-documents) and then
//! recognises the handful of forms documentation uses to run something from the repository —
//! a script path, an interpreter with a script, `make`, `just`, `npm`/`yarn`/`pnpm`/`bun`
//! scripts, `cargo run --bin/--example/-p`, `go run`, and `cd`. Anything else is ignored, so a
//! command vigil does not understand is never a finding.

/// One simple command of a block, split into words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Command {
    /// Words after quote removal.
    pub(crate) words: Vec<String>,
    /// 1-based line in the page.
    pub(crate) line: u32,
}

/// How a code block's lines are commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BlockStyle {
    /// Every line is a command (`sh`, `bash`, `shell`, `zsh`, …).
    Script,
    /// Only lines after a `$ ` prompt are commands (`console`, or an unlabelled block).
    Session,
}

/// The style of a code block with this language, if it holds shell commands.
pub(crate) fn block_style(lang: &str) -> Option<BlockStyle> {
    match lang {
        "sh" | "bash" | "shell" | "zsh" | "ksh" | "dash" | "fish" => Some(BlockStyle::Script),
        "" | "console" | "shell-session" | "shellsession" | "sh-session" | "terminal" => {
            Some(BlockStyle::Session)
        }
        _ => None,
    }
}

/// The commands of a block whose first content line is `first_line`.
pub(crate) fn commands(block: &str, first_line: u32, style: BlockStyle) -> Vec<Command> {
    let lines: Vec<&str> = block.lines().collect();
    // A script block written with prompts is read as a session, so output lines are skipped.
    let style = if style == BlockStyle::Script && lines.iter().any(|l| prompt_stripped(l).is_some())
    {
        BlockStyle::Session
    } else {
        style
    };
    let mut out = Vec::new();
    let mut i = 0;
    let mut heredoc: Option<String> = None;
    while i < lines.len() {
        let line_no = first_line + u32::try_from(i).unwrap_or(u32::MAX);
        let raw = lines[i];
        i += 1;
        if let Some(end) = &heredoc {
            if raw.trim() == end {
                heredoc = None;
            }
            continue;
        }
        let mut text = match style {
            BlockStyle::Script => raw.to_owned(),
            BlockStyle::Session => match prompt_stripped(raw) {
                Some(t) => t.to_owned(),
                None => continue,
            },
        };
        while text.trim_end().ends_with('\\') && i < lines.len() {
            let trimmed = text.trim_end();
            text = format!("{} {}", &trimmed[..trimmed.len() - 1], lines[i]);
            i += 1;
        }
        let (simple, here) = split(&text);
        heredoc = here;
        out.extend(
            simple
                .into_iter()
                .filter(|w| !w.is_empty())
                .map(|words| Command {
                    words,
                    line: line_no,
                }),
        );
    }
    out
}

/// The command after a `$ ` (or `% `) prompt, if the line has one.
fn prompt_stripped(line: &str) -> Option<&str> {
    let t = line.trim_start();
    t.strip_prefix("$ ")
        .or_else(|| t.strip_prefix("% "))
        .or_else(|| (t == "$").then_some(""))
}

/// Split one logical line into simple commands (words after quote removal); also returns the
/// terminator of a here-document the line starts.
fn split(line: &str) -> (Vec<Vec<String>>, Option<String>) {
    let mut commands: Vec<Vec<String>> = vec![Vec::new()];
    let mut word = String::new();
    let mut in_word = false;
    let mut heredoc = None;
    let mut skip_next_word = false;
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let finish = |word: &mut String,
                  in_word: &mut bool,
                  commands: &mut Vec<Vec<String>>,
                  skip: &mut bool| {
        if *in_word {
            if *skip {
                *skip = false;
            } else if let Some(last) = commands.last_mut() {
                last.push(std::mem::take(word));
            }
            word.clear();
            *in_word = false;
        }
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' => {
                in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    word.push(chars[i]);
                    i += 1;
                }
            }
            '"' => {
                in_word = true;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                    }
                    word.push(chars[i]);
                    i += 1;
                }
            }
            '\\' => {
                in_word = true;
                if i + 1 < chars.len() {
                    i += 1;
                    word.push(chars[i]);
                }
            }
            '#' if !in_word => break,
            c if c.is_whitespace() => {
                finish(&mut word, &mut in_word, &mut commands, &mut skip_next_word);
            }
            ';' | '&' | '|' | '(' | ')' => {
                finish(&mut word, &mut in_word, &mut commands, &mut skip_next_word);
                // `2>&1`: the `&` belongs to a redirection that was already dropped.
                if !(c == '&' && i > 0 && chars[i - 1] == '>') {
                    commands.push(Vec::new());
                }
            }
            '<' | '>' => {
                // A redirection: drop it and its target (`> out.txt`, `2>&1`, `<<EOF`).
                let digits_before = in_word && word.chars().all(|d| d.is_ascii_digit());
                if digits_before {
                    word.clear();
                    in_word = false;
                } else {
                    finish(&mut word, &mut in_word, &mut commands, &mut skip_next_word);
                }
                let is_heredoc = c == '<' && chars.get(i + 1) == Some(&'<');
                while i + 1 < chars.len() && matches!(chars[i + 1], '<' | '>' | '&' | '-') {
                    i += 1;
                }
                if is_heredoc {
                    let rest: String = chars[i + 1..].iter().collect();
                    let tag: String = rest
                        .trim_start()
                        .chars()
                        .take_while(|c| !c.is_whitespace() && !matches!(c, ';' | '&' | '|'))
                        .filter(|c| !matches!(c, '\'' | '"'))
                        .collect();
                    if !tag.is_empty() && tag != "<" {
                        heredoc = Some(tag);
                    }
                }
                skip_next_word = true;
                // `2>&1` and `>&2`: the target is glued to the operator.
                if chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()) && chars[i] == '&' {
                    i += 1;
                    skip_next_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
        i += 1;
    }
    finish(&mut word, &mut in_word, &mut commands, &mut skip_next_word);
    (commands, heredoc)
}

/// What a command runs from the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Invocation {
    /// A file run as a program or by an interpreter, relative to the working folder.
    Script(String),
    /// A folder or file named by an option (`cargo install --path x`), relative to the
    /// working folder.
    Path(String),
    /// `cd` to a folder (`None`: home or an absolute path).
    Cd(Option<String>),
    /// `make`: folder (`-C`), makefile (`-f`), targets (empty: the default goal).
    Make {
        /// `-C DIR`.
        dir: Option<String>,
        /// `-f FILE`.
        file: Option<String>,
        /// Goals named.
        targets: Vec<String>,
    },
    /// `just`: the recipe named, if any.
    Just {
        /// `-f FILE` / `--justfile FILE`.
        file: Option<String>,
        /// The recipe (`None`: the default).
        recipe: Option<String>,
    },
    /// A package.json script.
    NpmScript {
        /// `--prefix DIR`.
        prefix: Option<String>,
        /// Script name.
        name: String,
        /// Written without `run` (`yarn build`): the name may also be a package's binary.
        shorthand: bool,
    },
    /// `cargo run --bin NAME` and the like.
    CargoTarget {
        /// What the name is.
        kind: CargoKind,
        /// The name.
        name: String,
    },
}

/// What a name given to cargo is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CargoKind {
    /// `--bin`.
    Bin,
    /// `--example`.
    Example,
    /// `-p` / `--package`.
    Package,
}

/// Commands yarn and pnpm run themselves rather than as a script.
const PACKAGE_MANAGER_COMMANDS: &[&str] = &[
    "add",
    "audit",
    "autoclean",
    "bin",
    "cache",
    "check",
    "config",
    "create",
    "dedupe",
    "dlx",
    "env",
    "exec",
    "explain",
    "fetch",
    "generate-lock-entry",
    "global",
    "help",
    "i",
    "import",
    "info",
    "init",
    "install",
    "licenses",
    "link",
    "list",
    "login",
    "logout",
    "ls",
    "node",
    "npm",
    "outdated",
    "owner",
    "pack",
    "patch",
    "plugin",
    "policies",
    "prune",
    "publish",
    "rebuild",
    "remove",
    "rm",
    "root",
    "server",
    "set",
    "setup",
    "store",
    "tag",
    "team",
    "unlink",
    "unplug",
    "up",
    "update",
    "upgrade",
    "upgrade-interactive",
    "version",
    "versions",
    "why",
    "workspace",
    "workspaces",
];

/// Interpreters whose first non-option argument is a script file.
const INTERPRETERS: &[&str] = &[
    "bash", "sh", "zsh", "ksh", "dash", "fish", "python", "python2", "python3", "py", "pypy",
    "pypy3", "node", "nodejs", "ruby", "perl", "php", "Rscript", "tsx", "ts-node", "source", ".",
    "pwsh",
];

/// What `words` runs, if it is one of the forms vigil understands.
pub(crate) fn invocation(words: &[String]) -> Option<Invocation> {
    let mut rest = words;
    // Wrappers and environment assignments in front of the real command.
    loop {
        let first = rest.first()?;
        if matches!(
            first.as_str(),
            "sudo" | "time" | "env" | "exec" | "nohup" | "command" | "then" | "do" | "!"
        ) {
            rest = &rest[1..];
            while rest.first().is_some_and(|w| w.starts_with('-')) {
                rest = &rest[1..];
            }
        } else if is_assignment(first) {
            rest = &rest[1..];
        } else {
            break;
        }
    }
    let (cmd, args) = rest.split_first()?;
    if cmd.contains('/') {
        return is_plain_path(cmd)
            .then(|| Invocation::Script(cmd.clone()))
            .filter(|_| !cmd.starts_with('/'));
    }
    match cmd.as_str() {
        "cd" => Some(Invocation::Cd(
            args.iter()
                .find(|a| !a.starts_with('-'))
                .filter(|a| !a.starts_with('/') && !a.starts_with('~') && is_plain_path(a))
                .cloned(),
        )),
        "make" | "gmake" => Some(make(args)),
        "just" => just(args),
        "npm" => npm(args),
        "yarn" | "pnpm" => yarn_like(args),
        "bun" => match args.first().map(String::as_str) {
            Some("run") => args.get(1).and_then(|a| script_or_file(a, true)),
            Some(a) if looks_like_file(a) => Some(Invocation::Script(a.to_owned())),
            _ => None,
        },
        "deno" => match args.first().map(String::as_str) {
            Some("run") => first_script(&args[1..]),
            _ => None,
        },
        "cargo" => cargo(args),
        "go" => match args.first().map(String::as_str) {
            Some("run") => args[1..]
                .iter()
                .find(|a| !a.starts_with('-'))
                .filter(|a| {
                    (a.ends_with(".go") || a.starts_with("./"))
                        && is_plain_path(a)
                        && !a.contains("...")
                })
                .map(|a| Invocation::Script(a.clone())),
            _ => None,
        },
        c if INTERPRETERS.contains(&c) => first_script(args),
        _ => None,
    }
}

/// `NAME=value`.
fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// A path with nothing a shell would expand (`$`, globs, `~`, braces) and no URL.
fn is_plain_path(word: &str) -> bool {
    !word.is_empty()
        && !word.contains("://")
        && !word.contains([
            '$', '*', '?', '[', ']', '{', '}', '`', '~', '<', '>', '%', '=',
        ])
}

/// Whether a word names a file: a `/` or an extension.
fn looks_like_file(word: &str) -> bool {
    let name = word.rsplit('/').next().unwrap_or(word);
    is_plain_path(word)
        && (word.contains('/')
            || name.rsplit_once('.').is_some_and(|(stem, ext)| {
                !stem.is_empty()
                    && !ext.is_empty()
                    && ext.chars().all(|c| c.is_ascii_alphanumeric())
            }))
}

/// The script of an interpreter's arguments: the first non-option word, unless an option says
/// the code is inline (`-c`, `-e`, `-m`, …).
fn first_script(args: &[String]) -> Option<Invocation> {
    for a in args {
        match a.as_str() {
            "-c" | "-e" | "-m" | "-p" | "-r" | "--eval" | "--print" | "-" | "-Command" => {
                return None;
            }
            s if s.starts_with('-') => {}
            s => return looks_like_file(s).then(|| Invocation::Script(s.to_owned())),
        }
    }
    None
}

/// `bun run x`: a file when it looks like one, else a package.json script.
fn script_or_file(word: &str, explicit_run: bool) -> Option<Invocation> {
    if looks_like_file(word) {
        Some(Invocation::Script(word.to_owned()))
    } else if is_plain_path(word) && !word.starts_with('-') {
        Some(Invocation::NpmScript {
            prefix: None,
            name: word.to_owned(),
            shorthand: !explicit_run,
        })
    } else {
        None
    }
}

/// The value of an option written `-x VALUE`, `-xVALUE`, `--long VALUE` or `--long=VALUE`
/// at `args[i]`; returns it and how many words it used.
fn option_value<'a>(
    args: &'a [String],
    i: usize,
    short: &str,
    long: &str,
) -> Option<(&'a str, usize)> {
    let a = args[i].as_str();
    if a == short || a == long {
        return args.get(i + 1).map(|v| (v.as_str(), 2));
    }
    if let Some(v) = a.strip_prefix(long).and_then(|r| r.strip_prefix('=')) {
        return Some((v, 1));
    }
    if short.len() == 2
        && let Some(v) = a.strip_prefix(short).filter(|v| !v.is_empty())
    {
        return Some((v, 1));
    }
    None
}

fn make(args: &[String]) -> Invocation {
    let (mut dir, mut file, mut targets) = (None, None, Vec::new());
    let mut i = 0;
    while i < args.len() {
        if let Some((v, n)) = option_value(args, i, "-C", "--directory") {
            dir = Some(v.to_owned());
            i += n;
        } else if let Some((v, n)) = option_value(args, i, "-f", "--file")
            .or_else(|| option_value(args, i, "-f", "--makefile"))
        {
            file = Some(v.to_owned());
            i += n;
        } else if let Some((_, n)) = option_value(args, i, "-j", "--jobs")
            .or_else(|| option_value(args, i, "-l", "--load-average"))
            .or_else(|| option_value(args, i, "-o", "--old-file"))
            .or_else(|| option_value(args, i, "-W", "--what-if"))
            .or_else(|| option_value(args, i, "-I", "--include-dir"))
        {
            // `-j` may stand alone; its value is then the next word only when it is a number.
            let used = if n == 2 && !args[i + 1].chars().all(|c| c.is_ascii_digit()) {
                1
            } else {
                n
            };
            i += used;
        } else {
            let a = &args[i];
            if !a.starts_with('-') && !is_assignment(a) {
                targets.push(a.clone());
            }
            i += 1;
        }
    }
    Invocation::Make { dir, file, targets }
}

fn just(args: &[String]) -> Option<Invocation> {
    let mut file = None;
    let mut i = 0;
    while i < args.len() {
        if let Some((v, n)) = option_value(args, i, "-f", "--justfile") {
            file = Some(v.to_owned());
            i += n;
            continue;
        }
        let a = &args[i];
        if matches!(
            a.as_str(),
            "-l" | "--list"
                | "--summary"
                | "--evaluate"
                | "--init"
                | "--edit"
                | "--dump"
                | "--choose"
                | "--show"
                | "-s"
                | "--help"
                | "-h"
                | "--version"
                | "-V"
        ) {
            return None;
        }
        if !a.starts_with('-') && !is_assignment(a) {
            return Some(Invocation::Just {
                file,
                recipe: Some(a.clone()),
            });
        }
        i += 1;
    }
    Some(Invocation::Just { file, recipe: None })
}

fn npm(args: &[String]) -> Option<Invocation> {
    let mut prefix = None;
    let mut i = 0;
    while i < args.len() {
        if let Some((v, n)) = option_value(args, i, "-C", "--prefix") {
            prefix = Some(v.to_owned());
            i += n;
            continue;
        }
        if let Some((_, n)) = option_value(args, i, "-w", "--workspace") {
            // Scripts of a workspace package: any package.json of the repository may hold it.
            prefix = Some(String::new());
            i += n;
            continue;
        }
        let a = args[i].as_str();
        if a.starts_with('-') {
            i += 1;
            continue;
        }
        let name = match a {
            "run" | "run-script" | "rum" | "urn" => {
                args[i + 1..].iter().find(|w| !w.starts_with('-'))?.clone()
            }
            "test" | "t" | "tst" => "test".to_owned(),
            "start" | "stop" | "restart" => a.to_owned(),
            _ => return None,
        };
        return is_plain_path(&name).then_some(Invocation::NpmScript {
            prefix,
            name,
            shorthand: false,
        });
    }
    None
}

fn yarn_like(args: &[String]) -> Option<Invocation> {
    let mut i = 0;
    let mut prefix = None;
    while i < args.len() {
        if let Some((v, n)) =
            option_value(args, i, "-C", "--cwd").or_else(|| option_value(args, i, "-C", "--dir"))
        {
            prefix = Some(v.to_owned());
            i += n;
            continue;
        }
        if let Some((_, n)) = option_value(args, i, "-F", "--filter") {
            prefix = Some(String::new());
            i += n;
            continue;
        }
        let a = args[i].as_str();
        if a.starts_with('-') {
            i += 1;
            continue;
        }
        let (name, shorthand) = match a {
            "run" => (
                args[i + 1..].iter().find(|w| !w.starts_with('-'))?.clone(),
                false,
            ),
            "test" | "start" => (a.to_owned(), false),
            c if PACKAGE_MANAGER_COMMANDS.contains(&c) => return None,
            c => (c.to_owned(), true),
        };
        return is_plain_path(&name).then_some(Invocation::NpmScript {
            prefix,
            name,
            shorthand,
        });
    }
    None
}

fn cargo(args: &[String]) -> Option<Invocation> {
    let mut rest = args;
    if rest.first().is_some_and(|a| a.starts_with('+')) {
        rest = &rest[1..];
    }
    let (sub, opts) = rest.split_first()?;
    let sub = sub.as_str();
    let mut i = 0;
    while i < opts.len() {
        let found = match sub {
            "run" | "r" | "build" | "b" | "check" | "c" | "test" | "t" | "bench" | "doc"
            | "clippy" => [
                ("--bin", CargoKind::Bin),
                ("--example", CargoKind::Example),
                ("--package", CargoKind::Package),
            ]
            .iter()
            .find_map(|(long, kind)| {
                let short = if *long == "--package" { "-p" } else { *long };
                option_value(opts, i, short, long).map(|(v, n)| (Some((*kind, v)), n))
            }),
            _ => None,
        };
        if let Some((Some((kind, name)), _)) = found {
            return is_plain_path(name).then(|| Invocation::CargoTarget {
                kind,
                name: name.to_owned(),
            });
        }
        let path_opt = if sub == "install" {
            option_value(opts, i, "--path", "--path")
        } else {
            option_value(opts, i, "--manifest-path", "--manifest-path")
        };
        if let Some((p, _)) = path_opt {
            return (is_plain_path(p) && !p.starts_with('/'))
                .then(|| Invocation::Path(p.to_owned()));
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    fn cmds(block: &str, style: BlockStyle) -> Vec<(u32, String)> {
        commands(block, 10, style)
            .into_iter()
            .map(|c| (c.line, c.words.join(" ")))
            .collect()
    }

    #[test]
    fn splits_lines_into_simple_commands() {
        let block = "# set up\nexport X=1 && ./setup.sh --fast; make test | tee log.txt\n\
                     python3 \\\n  scripts/gen.py \"a b\" # trailing comment\n\
                     cat <<'EOF' > out.txt\n./not-a-command.sh\nEOF\n\
                     cargo run 2>&1 >/dev/null\necho 'it''s' \"q\\\"x\"\n";
        assert_eq!(
            cmds(block, BlockStyle::Script),
            [
                (11, "export X=1".to_owned()),
                (11, "./setup.sh --fast".to_owned()),
                (11, "make test".to_owned()),
                (11, "tee log.txt".to_owned()),
                (12, "python3 scripts/gen.py a b".to_owned()),
                (14, "cat".to_owned()),
                (17, "cargo run".to_owned()),
                (18, "echo its q\"x".to_owned()),
            ]
        );
    }

    #[test]
    fn sessions_keep_only_prompted_lines() {
        let block = "$ npm run build\n> app@1.0.0 build\nDone.\n$ ./run.sh \\\n  --flag\n";
        assert_eq!(
            cmds(block, BlockStyle::Session),
            [
                (10, "npm run build".to_owned()),
                (13, "./run.sh --flag".to_owned())
            ]
        );
        // A bash block written with prompts is a session too.
        assert_eq!(
            cmds("$ make\noutput line\n", BlockStyle::Script),
            [(10, "make".to_owned())]
        );
    }

    #[test]
    fn recognises_invocations() {
        let cases: &[(&str, Option<Invocation>)] = &[
            (
                "./tools/run.sh --x",
                Some(Invocation::Script("./tools/run.sh".into())),
            ),
            (
                "scripts/x.py",
                Some(Invocation::Script("scripts/x.py".into())),
            ),
            ("/usr/bin/env python", None),
            (
                "python scripts/x.py arg",
                Some(Invocation::Script("scripts/x.py".into())),
            ),
            (
                "python3 -u tools/t.py",
                Some(Invocation::Script("tools/t.py".into())),
            ),
            ("python -m http.server", None),
            ("python -c print(1)", None),
            ("bash ci/x.sh", Some(Invocation::Script("ci/x.sh".into()))),
            (
                "sudo -E bash ci/x.sh",
                Some(Invocation::Script("ci/x.sh".into())),
            ),
            ("FOO=1 node x.js", Some(Invocation::Script("x.js".into()))),
            ("node --inspect", None),
            (
                "source .venv/bin/activate",
                Some(Invocation::Script(".venv/bin/activate".into())),
            ),
            ("cd docs", Some(Invocation::Cd(Some("docs".into())))),
            ("cd ~/x", Some(Invocation::Cd(None))),
            (
                "make -C sub build test",
                Some(Invocation::Make {
                    dir: Some("sub".into()),
                    file: None,
                    targets: vec!["build".into(), "test".into()],
                }),
            ),
            (
                "make -j 4 V=1 all",
                Some(Invocation::Make {
                    dir: None,
                    file: None,
                    targets: vec!["all".into()],
                }),
            ),
            (
                "make -j all",
                Some(Invocation::Make {
                    dir: None,
                    file: None,
                    targets: vec!["all".into()],
                }),
            ),
            ("just --list", None),
            (
                "just test unit",
                Some(Invocation::Just {
                    file: None,
                    recipe: Some("test".into()),
                }),
            ),
            (
                "npm run build -- --watch",
                Some(Invocation::NpmScript {
                    prefix: None,
                    name: "build".into(),
                    shorthand: false,
                }),
            ),
            (
                "npm --prefix web run lint",
                Some(Invocation::NpmScript {
                    prefix: Some("web".into()),
                    name: "lint".into(),
                    shorthand: false,
                }),
            ),
            (
                "npm test",
                Some(Invocation::NpmScript {
                    prefix: None,
                    name: "test".into(),
                    shorthand: false,
                }),
            ),
            ("npm install", None),
            (
                "yarn build",
                Some(Invocation::NpmScript {
                    prefix: None,
                    name: "build".into(),
                    shorthand: true,
                }),
            ),
            ("yarn add react", None),
            (
                "pnpm run dev",
                Some(Invocation::NpmScript {
                    prefix: None,
                    name: "dev".into(),
                    shorthand: false,
                }),
            ),
            ("bun run x.ts", Some(Invocation::Script("x.ts".into()))),
            (
                "cargo run --bin vigil -- check",
                Some(Invocation::CargoTarget {
                    kind: CargoKind::Bin,
                    name: "vigil".into(),
                }),
            ),
            (
                "cargo +nightly run --example=demo",
                Some(Invocation::CargoTarget {
                    kind: CargoKind::Example,
                    name: "demo".into(),
                }),
            ),
            (
                "cargo test -p core",
                Some(Invocation::CargoTarget {
                    kind: CargoKind::Package,
                    name: "core".into(),
                }),
            ),
            ("cargo install --path .", Some(Invocation::Path(".".into()))),
            ("cargo install ripgrep", None),
            ("cargo build --release", None),
            (
                "go run ./cmd/server",
                Some(Invocation::Script("./cmd/server".into())),
            ),
            ("go run ./...", None),
            ("docker run -v $PWD:/x img", None),
            ("echo scripts/x.sh", None),
            ("./build/$TARGET/app", None),
        ];
        for (line, want) in cases {
            assert_eq!(&invocation(&words(line)), want, "{line}");
        }
    }
}
