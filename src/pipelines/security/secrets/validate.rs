//! Judging a regex match: is it a real-looking secret, or a placeholder, an example, a
//! reference to another variable, a hash? Pure functions over strings, unit-tested below.

use base64::Engine;

/// Shannon entropy of `s` in bits per byte.
pub(crate) fn shannon(s: &str) -> f64 {
    let bytes = s.as_bytes();
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Values published in provider documentation, known to be non-working examples.
const DOCUMENTED_EXAMPLES: &[&str] = &[
    // AWS documentation.
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    // The Azure storage emulator's well-known account key.
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
    // Stripe's documentation test key.
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    // The jwt.io sample token.
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
];

/// Fragments that mark a value as a placeholder wherever they occur (compared in lower case).
const PLACEHOLDER_FRAGMENTS: &[&str] = &[
    "example",
    "sample",
    "dummy",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "redacted",
    "your_",
    "your-",
    "yourtoken",
    "yourkey",
    "yoursecret",
    "yourpassword",
    "insert_",
    "replace_",
    "replaceme",
    "xxxx",
    "****",
    "...",
    "…",
    "<",
    ">",
    "${",
    "$(",
    "{{",
    "}}",
    "%(",
    "#{",
    "lorem",
    "fake",
    "notreal",
    "not_real",
    "not-a-real",
    "12345678",
    "abcdefgh",
];

/// Whole values that are placeholders (compared in lower case).
const PLACEHOLDER_VALUES: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "test",
    "testing",
    "changeit",
    "null",
    "none",
    "nil",
    "true",
    "false",
    "undefined",
    "admin",
    "root",
    "default",
    "pass",
    "empty",
    "required",
    "optional",
];

/// Whether `s` is a documented example or an obvious placeholder (`xxxx`, `<your-token>`,
/// `${VAR}`, `{{ var }}`, `%(x)s`, `changeme`, all one character, a long run of one character,
/// a `$VAR` or `%VAR%` reference).
pub(crate) fn is_placeholder(s: &str) -> bool {
    if DOCUMENTED_EXAMPLES.contains(&s) {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    if PLACEHOLDER_VALUES.contains(&lower.as_str()) {
        return true;
    }
    if PLACEHOLDER_FRAGMENTS.iter().any(|f| lower.contains(f)) {
        return true;
    }
    if is_variable_reference(s) {
        return true;
    }
    longest_run(s) >= 8 || distinct_bytes(s) <= 2
}

/// Whether a value is a bare shell, Windows or template variable reference.
fn is_variable_reference(s: &str) -> bool {
    let ident = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
    };
    if let Some(rest) = s.strip_prefix('$') {
        return ident(rest.trim_start_matches('{').trim_end_matches('}'));
    }
    if s.len() > 2 && s.starts_with('%') && s.ends_with('%') {
        return ident(&s[1..s.len() - 1]);
    }
    false
}

/// Length of the longest run of one repeated byte.
fn longest_run(s: &str) -> usize {
    let mut best = 0;
    let mut run = 0;
    let mut prev = None;
    for b in s.bytes() {
        if Some(b) == prev {
            run += 1;
        } else {
            run = 1;
            prev = Some(b);
        }
        best = best.max(run);
    }
    best
}

fn distinct_bytes(s: &str) -> usize {
    let mut seen = [false; 256];
    s.bytes()
        .filter(|&b| !std::mem::replace(&mut seen[usize::from(b)], true))
        .count()
}

/// Whether `s` has a word "test", "testing", "tests" or "demo" between non-alphanumeric
/// delimiters (or at its ends). Only used for free-form values (assignments, URL passwords):
/// provider tokens such as Stripe's `sk_test_…` carry "test" by design.
pub(crate) fn has_test_word(s: &str) -> bool {
    s.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
        matches!(
            w.to_ascii_lowercase().as_str(),
            "test" | "tests" | "testing" | "demo"
        )
    })
}

/// Number of character classes (lower, upper, digit, symbol) in `s`; `_`, `-` and `.` are
/// separators, not symbols, so `SOME_CONSTANT_NAME` counts as one class.
pub(crate) fn class_count(s: &str) -> usize {
    let (mut lower, mut upper, mut digit, mut symbol) = (false, false, false, false);
    for b in s.bytes() {
        match b {
            b'a'..=b'z' => lower = true,
            b'A'..=b'Z' => upper = true,
            b'0'..=b'9' => digit = true,
            b'_' | b'-' | b'.' => {}
            _ => symbol = true,
        }
    }
    [lower, upper, digit, symbol].iter().filter(|&&x| x).count()
}

/// Endings of normalized variable names (lower case, separators removed) that hold secrets.
const SECRET_NAME_ENDINGS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "pass",
    "pwd",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "secretkey",
    "privatekey",
    "signingkey",
    "encryptionkey",
    "masterkey",
    "authkey",
    "appkey",
    "clientkey",
    "sessionkey",
    "credential",
    "credentials",
    "creds",
    "auth",
];

/// Name fragments that mean the value is not a secret even though the name ends like one.
const NON_SECRET_NAME_PARTS: &[&str] = &[
    "public",
    "csrf",
    "xsrf",
    "nexttoken",
    "pagetoken",
    "continuationtoken",
    "cursor",
    "bypass",
    "compass",
    "example",
    "sample",
    "dummy",
    "placeholder",
];

/// Whether a variable, key or attribute name says it holds a secret.
///
/// The name is lower-cased and stripped of `_`, `-`, `.` and `:` and must *end* with a
/// secret word (`db_password`, `apiKey`, `client-secret`, `AUTH_TOKEN`), so `token_url`,
/// `password_hash` or `secret_name` do not qualify.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let norm: String = name
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | '.' | ':'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    SECRET_NAME_ENDINGS.iter().any(|e| norm.ends_with(e))
        && !NON_SECRET_NAME_PARTS.iter().any(|p| norm.contains(p))
}

/// Thresholds for values assigned to secret-like names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GenericLimits {
    /// Least entropy in bits per character.
    pub min_entropy: f64,
    /// Least length in characters.
    pub min_length: usize,
}

/// Whether a value assigned to a secret-like name looks like a real secret.
///
/// It must be at least `min_length` long, mix at least two character classes, and reach the
/// entropy threshold.
///
/// Shannon entropy cannot exceed `log2(len)`, so no value shorter than 12 characters could
/// ever reach 3.5 bits. A value shorter than [`SHORT_VALUE`] characters must instead mix three
/// classes and reach `log2(len) - 0.35` bits — nearly every character distinct, as in a random
/// string — so `q9R#v2Lm` qualifies while `token-4280` or `child-581` (a word and a number) do
/// not.
pub(crate) fn is_random_value(value: &str, limits: GenericLimits) -> bool {
    let len = value.chars().count();
    let classes = class_count(value);
    if len < limits.min_length.max(1) || classes < 2 {
        return false;
    }
    let entropy = shannon(value);
    if len < SHORT_VALUE {
        let cap = (len as f64).log2() - 0.35;
        return classes >= 3 && entropy >= limits.min_entropy.min(cap);
    }
    entropy >= limits.min_entropy
}

/// Length under which a value is judged by its character classes as much as its entropy.
pub(crate) const SHORT_VALUE: usize = 16;

/// Whether a value is something other than a literal secret: a URL, a path, a dotted
/// reference to another variable, a template, an environment lookup, or a function call.
pub(crate) fn is_non_literal(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if lower.contains("://") {
        return true;
    }
    if value.starts_with(['/', '~', '*', '&', '!', '%', '@', '=', '+'])
        || value.starts_with("./")
        || value.starts_with("../")
    {
        return true;
    }
    const LOOKUPS: &[&str] = &[
        "os.environ",
        "os.getenv",
        "getenv(",
        "process.env",
        "env::var",
        "env(",
        "env[",
        "environ[",
        "system.getenv",
        "secrets.",
        "vault:",
        "enc(",
        "sha256:",
        "sha512:",
        "sha1:",
        "md5:",
        "sha256-",
        "sha384-",
        "sha512-",
    ];
    if LOOKUPS.iter().any(|l| lower.contains(l)) {
        return true;
    }
    is_dotted_reference(value)
}

/// `a.b.c`-style references (`config.password`, `self.token`).
fn is_dotted_reference(value: &str) -> bool {
    let parts: Vec<&str> = value.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            let mut chars = p.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// Whether a 40-character string beside an AWS key ID looks like a secret access key:
/// upper case, lower case and digits all present (rules out hex digests and words).
pub(crate) fn is_aws_secret_shape(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_uppercase())
        && s.bytes().any(|b| b.is_ascii_lowercase())
        && s.bytes().any(|b| b.is_ascii_digit())
}

/// Whether a private key body (between the BEGIN and END lines) holds real key material:
/// at least 64 base64 characters once line breaks, `\n` escapes, quotes and `Header: value`
/// lines are removed, with the entropy of random data.
pub(crate) fn is_private_key_body(body: &str) -> bool {
    let unescaped = body.replace("\\n", "\n").replace("\\r", "\n");
    let material: String = unescaped
        .lines()
        .map(|l| l.trim().trim_matches(['"', '\'', ',', '+']).trim())
        .filter(|l| !l.contains(": ") && !l.is_empty())
        .collect();
    let base64 = material
        .bytes()
        .filter(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        .count();
    base64 >= 64 && base64 * 10 >= material.len() * 9 && shannon(&material) >= 4.0
}

/// Whether a JWT-shaped string has a header that decodes to a JSON object naming a signing
/// algorithm other than `none`.
pub(crate) fn is_signed_jwt(token: &str) -> bool {
    let Some(header) = token.split('.').next() else {
        return false;
    };
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let Ok(bytes) = engine.decode(header.trim_end_matches('=')) else {
        return false;
    };
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(&bytes)
    else {
        return false;
    };
    map.get("alg")
        .and_then(serde_json::Value::as_str)
        .is_some_and(|alg| !alg.eq_ignore_ascii_case("none"))
}

/// Whether a Docker `auth` value decodes to `user:password` with a real-looking password.
pub(crate) fn is_docker_auth(value: &str) -> bool {
    let engine = base64::engine::general_purpose::STANDARD;
    let Ok(bytes) = engine.decode(value) else {
        return false;
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return false;
    };
    match text.split_once(':') {
        Some((user, password)) => {
            !user.is_empty() && password.len() >= 4 && !is_placeholder(password)
        }
        None => false,
    }
}

/// Whether the password of a `scheme://user:password@host` URL is a real credential: not a
/// placeholder, not a "test" word, not the user name repeated (default credentials of local
/// services), and the host is not a documentation domain.
pub(crate) fn is_url_password(user: &str, password: &str, host: &str) -> bool {
    if password.is_empty() || is_placeholder(password) || has_test_word(password) {
        return false;
    }
    if password.eq_ignore_ascii_case(user) {
        return false;
    }
    let host = host.to_ascii_lowercase();
    // `docker://image:tag@sha256:…` is an image reference, not credentials.
    if matches!(
        host.as_str(),
        "sha1" | "sha256" | "sha384" | "sha512" | "md5"
    ) {
        return false;
    }
    let doc_host = host == "example"
        || host.ends_with("example.com")
        || host.ends_with("example.org")
        || host.ends_with("example.net")
        || host.ends_with(".example")
        || host.ends_with(".invalid")
        || host.ends_with(".test");
    !doc_host
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: GenericLimits = GenericLimits {
        min_entropy: 3.5,
        min_length: 8,
    };

    #[test]
    fn entropy_of_known_strings() {
        assert_eq!(shannon(""), 0.0);
        assert_eq!(shannon("aaaa"), 0.0);
        assert!((shannon("ab") - 1.0).abs() < 1e-9);
        assert!((shannon("abcd") - 2.0).abs() < 1e-9);
        assert!(shannon("wJ8rX2tnF3MIzK7MD9NGbPxRf1CY4sl0dKq7vZp3") > 4.5);
    }

    #[test]
    fn placeholders_are_recognised() {
        for p in [
            "AKIAIOSFODNN7EXAMPLE",
            "xxxxxxxxxxxxxxxx",
            "********",
            "${GITHUB_TOKEN}",
            "$TOKEN",
            "%API_KEY%",
            "{{ vault_password }}",
            "<your-token>",
            "%(password)s",
            "changeme",
            "password",
            "aaaaaaaaaaaa",
            "abababababab",
            "my-dummy-key-9f8e7d",
            "sample_token_123",
            "your_api_key_here",
        ] {
            assert!(is_placeholder(p), "{p} should be a placeholder");
        }
        assert!(
            is_placeholder("sk_test_4eC39HqLyjWDarjtT1zdp7dc"),
            "Stripe's docs key"
        );
        assert!(is_placeholder("GOCSPX-…"), "elided in prose");
        for real in ["Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB", "q9R#v2Lm"] {
            assert!(!is_placeholder(real), "{real} is not a placeholder");
        }
    }

    #[test]
    fn test_words_are_whole_words_only() {
        assert!(has_test_word("test-password-1"));
        assert!(has_test_word("my_test_secret"));
        assert!(!has_test_word("contested9X"));
        assert!(!has_test_word("latestQ8z"));
    }

    #[test]
    fn secret_names_must_end_with_a_secret_word() {
        for n in [
            "password",
            "DB_PASSWORD",
            "apiKey",
            "client-secret",
            "AUTH_TOKEN",
            "aws_secret_access_key",
            "spring.datasource.password",
            "SMTP_PASS",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "token_url",
            "password_hash",
            "secret_name",
            "public_key",
            "csrf_token",
            "next_page_token",
            "max_tokens",
            "bypass",
            "tokenizer",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn random_values_need_length_classes_and_entropy() {
        assert!(is_random_value("Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB", LIMITS));
        assert!(is_random_value("q9R#v2Lm", LIMITS));
        assert!(!is_random_value("short1", LIMITS));
        assert!(!is_random_value("12345678901234", LIMITS), "one class");
        assert!(!is_random_value("SOME_CONSTANT_NAME", LIMITS), "one class");
        assert!(
            !is_random_value("Password1Password1", LIMITS),
            "low entropy"
        );
        assert!(
            !is_random_value("session-1234", LIMITS),
            "a word and a number"
        );
        assert!(
            !is_random_value("token-4280", LIMITS),
            "all distinct, but two classes"
        );
        assert!(
            is_random_value("Zf3D0LXCM3EIMbgJ", LIMITS),
            "16 random characters"
        );
    }

    #[test]
    fn references_and_lookups_are_not_literals() {
        for v in [
            "os.environ['X']",
            "process.env.TOKEN",
            "config.password",
            "self.token",
            "https://example.com/x",
            "/run/secrets/db",
            "./secret.txt",
            "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            "ENC(AbCdEf123)",
        ] {
            assert!(is_non_literal(v), "{v}");
        }
        assert!(!is_non_literal("Zf3D0LXCM3EIMbgJpUNnkRtOfOueHznB"));
    }

    #[test]
    fn jwt_header_must_name_an_algorithm() {
        // {"alg":"HS256","typ":"JWT"}
        assert!(is_signed_jwt(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ4IjoxfQ.sig"
        ));
        // {"alg":"none"}
        assert!(!is_signed_jwt("eyJhbGciOiJub25lIn0.eyJ4IjoxfQ.sig"));
        // {"x":1}
        assert!(!is_signed_jwt("eyJ4IjoxfQ.eyJ4IjoxfQ.sig"));
        assert!(!is_signed_jwt("eyJ!!!.x.y"));
    }

    #[test]
    fn url_passwords() {
        assert!(is_url_password("admin", "Tr0ub4dor&3xq", "db.internal"));
        assert!(!is_url_password("user", "password", "db.internal"));
        assert!(!is_url_password("postgres", "postgres", "localhost"));
        assert!(!is_url_password("u", "Tr0ub4dor&3xq", "db.example.com"));
        assert!(!is_url_password("u", "${DB_PASSWORD}", "db"));
        assert!(
            !is_url_password("alpine", "3.20", "sha256"),
            "an image digest"
        );
    }

    #[test]
    fn docker_auth_decodes_user_and_password() {
        // "deploy:Qm9vbGVhbi1yYW5k"
        assert!(is_docker_auth("ZGVwbG95OlFtOXZiR1ZoYmkxeVlXNWs="));
        // "user:password"
        assert!(!is_docker_auth("dXNlcjpwYXNzd29yZA=="));
        assert!(!is_docker_auth("not base64!"));
    }

    #[test]
    fn private_key_bodies_need_material() {
        assert!(!is_private_key_body("\n...\n"));
        assert!(!is_private_key_body(
            "\n<your key here, at least sixty four characters long, really it is>\n"
        ));
        let body = "\nMIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi7nHEv2c0aBQ8U5Q9Wcz1pRZ8H\nk3Lp0V4xYq7n2sKdF9gT1hJ6wE8uR3mC5bN0aZ4vX7yQ2pL9sD1fG6hJ3kM8nB5v\n";
        assert!(is_private_key_body(body));
        let escaped = "\\nMIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi7nHEv2c0aBQ8U5Q9Wcz1pRZ8H\\nk3Lp0V4xYq7n2sKdF9gT1hJ6wE8uR3mC5bN0aZ4vX7yQ2pL9sD1fG6hJ3kM8nB5v\\n";
        assert!(is_private_key_body(escaped));
    }
}
