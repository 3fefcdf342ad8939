//! The built-in rule table: one row per credential format, as data, in the shape of a gitleaks
//! `[[rules]]` entry (catalogue rule id, format name, keywords, regex, entropy threshold), plus
//! the few things a regex cannot say: which part of the file the regex runs on around a
//! keyword ([`Span`]), and which extra judgement confirms a match ([`Judge`]).
//!
//! Every regex is compiled as a byte regex with Unicode off, so `\b` and the character classes
//! are ASCII, as in Go's RE2. The secret is the named group `secret`; judges that need the
//! variable name read the named group `name`.
//!
//! Keywords are looked up with Aho-Corasick before any regex runs; a row whose keywords do not
//! occur in a file costs nothing for that file. Keywords are matched ignoring ASCII case unless
//! the row is marked case-sensitive ([`Row::cs`]), which keeps prefixes such as `SG.` from
//! firing on every `msg.`. Keywords must not be common two-letter words: every hit costs a
//! regex run on its line.

use crate::model::Severity;

/// Which part of a file a row's regex runs on, around each occurrence of one of its keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Span {
    /// The line holding the keyword (a window of it when the line is very long).
    Line,
    /// The line holding the keyword and this many lines before and after it.
    Around(u32),
    /// From the start of the keyword's line, up to this many bytes (multi-line blocks).
    Block(usize),
    /// The whole file, as soon as the keyword occurs anywhere in it.
    File,
}

/// The judgement a row applies to a match after its regex matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Judge {
    /// A provider token with a fixed shape: entropy and placeholder checks only.
    Token,
    /// `name = "value"` in code or config: the name must be secret-like, the value random.
    Assignment,
    /// `name=value` without quotes (config files only): as `Assignment`, plus the value must
    /// not be a reference to another variable.
    Unquoted,
    /// `<name>value</name>`: as `Assignment`, plus the closing tag must match the opening.
    XmlElement,
    /// A 40-character AWS secret next to an access key ID: must look like random base64.
    AwsSecretNearId,
    /// The private key of a JSON file with `"type": "service_account"`.
    ServiceAccount,
    /// A PEM, OpenSSH, PGP or PuTTY private key block with a real body.
    PrivateKey,
    /// A JSON Web Token whose header decodes to JSON naming a signing algorithm.
    Jwt,
    /// The password of `scheme://user:password@host`, unless a placeholder.
    UrlCredentials,
    /// A Docker `config.json` `auth` value: base64 of `user:password`.
    DockerAuth,
    /// A user-defined rule (config or `.gitleaks.toml`): its own entropy threshold only.
    Custom,
}

/// One credential format.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    /// Catalogue rule id the finding is reported under.
    pub rule: &'static str,
    /// Provider and format, shown in the message.
    pub format: &'static str,
    /// Words of which one must occur for the regex to run.
    pub keywords: &'static [&'static str],
    /// Whether keywords must match in exact case.
    pub case_sensitive: bool,
    /// Byte regex (Unicode off) with a named group `secret`.
    pub regex: &'static str,
    /// Least Shannon entropy of the secret, in bits per character (0 = no threshold).
    pub entropy: f64,
    /// Severity of this format when it differs from its rule's default.
    pub severity: Option<Severity>,
    /// Extra judgement of a match.
    pub judge: Judge,
    /// Part of the file the regex runs on.
    pub span: Span,
    /// When two matches overlap, the lower priority wins (specific formats before generic).
    pub priority: u8,
    /// Whether the row also runs on lockfiles (whose hashes defeat entropy-based rules).
    pub in_lockfiles: bool,
    /// Whether the row runs only on configuration-like files (`.env`, YAML, properties…).
    pub config_files_only: bool,
    /// Bytes of which one must occur on a keyword's line for the regex to run there (empty:
    /// none). A second, byte-level prefilter for rows whose keywords are common words.
    pub needs: &'static [u8],
}

const fn row(
    rule: &'static str,
    format: &'static str,
    keywords: &'static [&'static str],
    regex: &'static str,
) -> Row {
    Row {
        rule,
        format,
        keywords,
        case_sensitive: false,
        regex,
        entropy: 0.0,
        severity: None,
        judge: Judge::Token,
        span: Span::Line,
        priority: 0,
        in_lockfiles: false,
        config_files_only: false,
        needs: &[],
    }
}

impl Row {
    /// Keywords must match in exact case.
    const fn cs(mut self) -> Self {
        self.case_sensitive = true;
        self
    }

    const fn entropy(mut self, bits: f64) -> Self {
        self.entropy = bits;
        self
    }

    const fn severity(mut self, s: Severity) -> Self {
        self.severity = Some(s);
        self
    }

    const fn judge(mut self, j: Judge) -> Self {
        self.judge = j;
        self
    }

    const fn span(mut self, s: Span) -> Self {
        self.span = s;
        self
    }

    const fn priority(mut self, p: u8) -> Self {
        self.priority = p;
        self
    }

    const fn in_lockfiles(mut self) -> Self {
        self.in_lockfiles = true;
        self
    }

    const fn config_files_only(mut self) -> Self {
        self.config_files_only = true;
        self
    }

    /// The regex runs only on lines holding one of `bytes` (requires [`Span::Line`]).
    const fn needs(mut self, bytes: &'static [u8]) -> Self {
        self.needs = bytes;
        self
    }
}

/// Keywords of the generic assignment rows: fragments of secret-like variable names.
const NAME_KEYWORDS: &[&str] = &[
    "pass",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "api.key",
    "accesskey",
    "access_key",
    "access-key",
    "privatekey",
    "private_key",
    "private-key",
    "signingkey",
    "signing_key",
    "encryptionkey",
    "encryption_key",
    "masterkey",
    "master_key",
    "appkey",
    "app_key",
    "clientkey",
    "client_key",
    "auth",
    "cred",
];

/// The end of a secret-like variable name, as a regex fragment (used case-insensitively): the
/// generic rows match only names that end like this, so `x = "…"` costs no regex match at all.
/// [`is_secret_name`](super::validate::is_secret_name) then applies the exact rules.
macro_rules! secret_name {
    () => {
        concat!(
            r"(?:pass(?:word|wd|phrase)?|pwd|secret|token|creds|credentials?|auth",
            r"|(?:api|access|secret|private|signing|encryption|master|auth|app|client|session)",
            r"[_.-]?key)",
        )
    };
}

/// Every built-in format. Order matters only for documentation; overlap is settled by priority.
pub(crate) static BUILTIN: &[Row] = &[
    // ---- AWS -------------------------------------------------------------------------------
    row(
        "aws-access-key",
        "AWS access key ID",
        &["AKIA", "ASIA", "ABIA", "ACCA", "A3T"],
        r"\b(?P<secret>(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b",
    )
    .cs()
    .entropy(3.0)
    .severity(Severity::High),
    row(
        "aws-access-key",
        "AWS secret access key",
        &[
            "secret_access_key",
            "secretaccesskey",
            "secret-access-key",
            "aws_secret",
            "aws-secret",
            "awssecret",
        ],
        r#"(?i)(?:aws)?[_.-]?secret[_.-]?(?:access)?[_.-]?key(?:[_.-]?id)?["'`]?[ \t]*(?:=|:=|:|=>|,)[ \t]*["'`]?(?P<secret>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
    )
    .entropy(4.0),
    row(
        "aws-access-key",
        "AWS secret access key (beside a key ID)",
        &["AKIA", "ASIA", "ABIA", "ACCA"],
        r"(?m)(?:^|[^A-Za-z0-9/+=])(?P<secret>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)",
    )
    .cs()
    .entropy(4.0)
    .span(Span::Around(2))
    .judge(Judge::AwsSecretNearId),
    // ---- Google Cloud ----------------------------------------------------------------------
    row(
        "gcp-service-account-key",
        "Google Cloud service account key file",
        &["service_account"],
        r#"(?s)"private_key"[ \t\r\n]*:[ \t\r\n]*"-----BEGIN[A-Z ]{0,20}PRIVATE KEY-----(?:\\[rn]|[ \t\r\n])*(?P<secret>[^ \t\r\n\\"][^"]{63,}?)(?:\\[rn]|[ \t\r\n])*-----END[A-Z ]{0,20}PRIVATE KEY-----(?:\\n)?""#,
    )
    .span(Span::File)
    .judge(Judge::ServiceAccount),
    row(
        "gcp-api-key",
        "Google API key",
        &["AIza"],
        r"\b(?P<secret>AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)",
    )
    .cs()
    .entropy(4.0),
    row(
        "gcp-api-key",
        "Google OAuth client secret",
        &["GOCSPX-"],
        r"\b(?P<secret>GOCSPX-[0-9A-Za-z_-]{28})(?:[^0-9A-Za-z_-]|$)",
    )
    .cs()
    .entropy(3.5),
    // ---- Azure -----------------------------------------------------------------------------
    row(
        "azure-storage-key",
        "Azure storage connection string",
        &["AccountKey"],
        r"(?i)AccountKey[ \t]*=[ \t]*(?P<secret>[A-Za-z0-9+/]{86}==)",
    )
    .entropy(4.0),
    row(
        "azure-storage-key",
        "Azure storage account key",
        &["azure", "storage"],
        r#"(?i)(?:azure|storage)[A-Za-z0-9_.-]{0,40}key["'`]?[ \t]*(?:=|:=|:|=>)[ \t]*["'`]?(?P<secret>[A-Za-z0-9+/]{86}==)"#,
    )
    .entropy(4.0)
    .needs(b"=:"),
    row(
        "azure-storage-key",
        "Azure shared access signature",
        &["sv=20"],
        r#"(?i)[?&;]sv=20[0-9]{2}-[0-9]{2}-[0-9]{2}&[^\s"'<>]{0,400}?\bsig=(?P<secret>[A-Za-z0-9%+/]{40,120})"#,
    )
    .entropy(4.0)
    .severity(Severity::High),
    row(
        "azure-client-secret",
        "Microsoft Entra ID client secret",
        &["Q~"],
        r#"(?m)(?:^|[\\'"`\s>=:(,)])(?P<secret>[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?:$|[\\'"`\s<),])"#,
    )
    .cs()
    .entropy(3.0),
    // ---- GitHub ----------------------------------------------------------------------------
    row(
        "github-token",
        "GitHub personal access token (classic)",
        &["ghp_"],
        r"\b(?P<secret>ghp_[0-9A-Za-z]{36})\b",
    )
    .cs()
    .entropy(3.0),
    row(
        "github-token",
        "GitHub OAuth access token",
        &["gho_"],
        r"\b(?P<secret>gho_[0-9A-Za-z]{36})\b",
    )
    .cs()
    .entropy(3.0),
    row(
        "github-token",
        "GitHub user-to-server token",
        &["ghu_"],
        r"\b(?P<secret>ghu_[0-9A-Za-z]{36})\b",
    )
    .cs()
    .entropy(3.0),
    row(
        "github-token",
        "GitHub App installation token",
        &["ghs_"],
        r"\b(?P<secret>ghs_[0-9A-Za-z]{36})\b",
    )
    .cs()
    .entropy(3.0),
    row(
        "github-token",
        "GitHub refresh token",
        &["ghr_"],
        r"\b(?P<secret>ghr_[0-9A-Za-z]{36})\b",
    )
    .cs()
    .entropy(3.0),
    row(
        "github-token",
        "GitHub fine-grained personal access token",
        &["github_pat_"],
        r"\b(?P<secret>github_pat_[0-9A-Za-z]{22}_[0-9A-Za-z]{59})\b",
    )
    .cs()
    .entropy(3.0),
    row(
        "github-token",
        "GitHub OAuth app client secret",
        &["github"],
        r#"(?i)github[A-Za-z0-9_.-]{0,30}secret["'`]?[ \t]*(?:=|:=|:|=>)[ \t]*["'`]?(?P<secret>[0-9a-f]{40})\b"#,
    )
    .entropy(3.0)
    // `github` and `storage` are everyday words; only lines assigning something matter.
    .needs(b"=:"),
    // ---- GitLab ----------------------------------------------------------------------------
    row(
        "gitlab-token",
        "GitLab personal access token",
        &["glpat-"],
        r"\b(?P<secret>glpat-[0-9A-Za-z_-]{20}(?:[0-9A-Za-z_-]{7,280}\.[0-9a-z]{9})?)(?:[^0-9A-Za-z_-]|$)",
    )
    .cs()
    .entropy(3.0),
    row(
        "gitlab-token",
        "GitLab deploy token",
        &["gldt-"],
        r"\b(?P<secret>gldt-[0-9A-Za-z_-]{20})(?:[^0-9A-Za-z_-]|$)",
    )
    .cs()
    .entropy(3.0),
    row(
        "gitlab-token",
        "GitLab runner authentication token",
        &["glrt-"],
        r"\b(?P<secret>glrt-[0-9A-Za-z_-]{20}(?:[0-9A-Za-z_-]{7,280}\.[0-9a-z]{9})?)(?:[^0-9A-Za-z_-]|$)",
    )
    .cs()
    .entropy(3.0),
    row(
        "gitlab-token",
        "GitLab runner registration token",
        &["GR1348941"],
        r"\b(?P<secret>GR1348941[0-9A-Za-z_-]{20})(?:[^0-9A-Za-z_-]|$)",
    )
    .cs()
    .entropy(3.0),
    row(
        "gitlab-token",
        "GitLab pipeline trigger token",
        &["glptt-"],
        r"\b(?P<secret>glptt-[0-9a-f]{40})\b",
    )
    .cs()
    .entropy(3.0),
    row(
        "gitlab-token",
        "GitLab CI/CD job token",
        &["glcbt-"],
        r"\b(?P<secret>glcbt-[0-9A-Za-z]{1,5}_[0-9A-Za-z_-]{20})(?:[^0-9A-Za-z_-]|$)",
    )
    .cs()
    .entropy(3.0),
    row(
        "gitlab-token",
        "GitLab OAuth application secret",
        &["gloas-"],
        r"\b(?P<secret>gloas-[0-9A-Za-z_-]{64})(?:[^0-9A-Za-z_-]|$)",
    )
    .cs()
    .entropy(3.0),
    row(
        "gitlab-token",
        "GitLab SCIM, feed, incoming mail, feature flag or agent token",
        &["glsoat-", "glffct-", "glft-", "glimt-", "glagent-"],
        r"\b(?P<secret>(?:glsoat|glffct|glft)-[0-9A-Za-z_-]{20}|glimt-[0-9A-Za-z_-]{25}|glagent-[0-9A-Za-z_-]{50})(?:[^0-9A-Za-z_-]|$)",
    )
    .cs()
    .entropy(3.0),
    // ---- Slack -----------------------------------------------------------------------------
    row(
        "slack-token",
        "Slack bot token",
        &["xoxb-"],
        r"\b(?P<secret>xoxb-[0-9]{8,14}-(?:[0-9]{8,14}-)?[0-9A-Za-z]{18,64})\b",
    )
    .cs()
    .entropy(3.0),
    row(
        "slack-token",
        "Slack user token",
        &["xoxp-", "xoxe-"],
        r"\b(?P<secret>xox[pe](?:-[0-9]{10,13}){3}-[0-9A-Za-z]{28,34})\b",
    )
    .cs()
    .entropy(3.0),
    row(
        "slack-token",
        "Slack workspace or refresh token",
        &["xoxa-", "xoxr-"],
        r"\b(?P<secret>xox[ar]-(?:[0-9]-)?[0-9A-Za-z]{8,48}(?:-[0-9A-Za-z]{4,48}){0,4})\b",
    )
    .cs()
    .entropy(3.0),
    row(
        "slack-token",
        "Slack app-level token",
        &["xapp-"],
        r"\b(?P<secret>xapp-[0-9]-[A-Z0-9]{8,16}-[0-9]{10,16}-[a-z0-9]{32,80})\b",
    )
    .cs()
    .entropy(3.0),
    row(
        "slack-webhook",
        "Slack incoming webhook URL",
        &["hooks.slack.com"],
        r"(?i)https?://hooks\.slack\.com/(?:services|workflows|triggers)/(?P<secret>[A-Za-z0-9+/_-]{20,120})",
    )
    .entropy(3.0),
    // ---- Stripe ----------------------------------------------------------------------------
    row(
        "stripe-key",
        "Stripe live secret key",
        &["sk_live_"],
        r"\b(?P<secret>sk_live_[0-9A-Za-z]{10,247})\b",
    )
    .cs()
    .entropy(3.0),
    row(
        "stripe-key",
        "Stripe live restricted key",
        &["rk_live_"],
        r"\b(?P<secret>rk_live_[0-9A-Za-z]{10,247})\b",
    )
    .cs()
    .entropy(3.0),
    row(
        "stripe-key",
        "Stripe test-mode key",
        &["sk_test_", "rk_test_"],
        r"\b(?P<secret>[sr]k_test_[0-9A-Za-z]{10,247})\b",
    )
    .cs()
    .entropy(3.0)
    .severity(Severity::Low),
    row(
        "stripe-key",
        "Stripe webhook signing secret",
        &["whsec_"],
        r"\b(?P<secret>whsec_[0-9A-Za-z+/=]{32,})",
    )
    .cs()
    .entropy(3.0)
    .severity(Severity::High),
    // ---- Twilio ----------------------------------------------------------------------------
    // `SK` and `AC` are too short to be keywords (every `task`, every `react`): the Twilio
    // shapes run on files that mention Twilio.
    row(
        "twilio-key",
        "Twilio API key",
        &["twilio"],
        r"\b(?P<secret>SK[0-9a-fA-F]{32})\b",
    )
    .span(Span::File)
    .entropy(3.0),
    row(
        "twilio-key",
        "Twilio auth token",
        &["twilio", "auth_token", "authtoken", "auth-token"],
        r#"(?i)(?:twilio[A-Za-z0-9_.-]{0,20})?auth[_.-]?token["'`]?[ \t]*(?:=|:=|:|=>)[ \t]*["'`]?(?P<secret>[0-9a-f]{32})\b"#,
    )
    .entropy(3.0),
    row(
        "twilio-key",
        "Twilio auth token (beside an account SID)",
        &["twilio"],
        r#"\bAC[0-9a-f]{32}\b["'`]?[ \t]*[,:][ \t]*["'`]?(?P<secret>[0-9a-f]{32})\b"#,
    )
    .span(Span::File)
    .entropy(3.0),
    // ---- Mail ------------------------------------------------------------------------------
    row(
        "sendgrid-key",
        "SendGrid API key",
        &["SG."],
        r"\b(?P<secret>SG\.[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43})(?:[^0-9A-Za-z_-]|$)",
    )
    .cs()
    .entropy(3.5),
    row(
        "mailgun-key",
        "Mailgun API key",
        &["key-"],
        r"\b(?P<secret>key-[0-9a-f]{32})\b",
    )
    .entropy(3.0),
    // ---- Package registries ----------------------------------------------------------------
    row(
        "npm-token",
        "npm access token",
        &["npm_"],
        r"\b(?P<secret>npm_[0-9A-Za-z]{36})\b",
    )
    .entropy(3.0),
    row(
        "npm-token",
        "npm registry auth token in .npmrc",
        &["_authToken"],
        r"(?i)_authToken[ \t]*=[ \t]*(?P<secret>[0-9A-Za-z_.+/=-]{20,})",
    )
    .entropy(3.0)
    .judge(Judge::Assignment),
    row(
        "pypi-token",
        "PyPI upload token",
        &["pypi-AgEIcHlwaS5vcmc", "pypi-AgENdGVzdC5weXBpLm9yZw"],
        r"\b(?P<secret>pypi-Ag(?:EIcHlwaS5vcmc|ENdGVzdC5weXBpLm9yZw)[0-9A-Za-z_-]{50,})",
    )
    .cs()
    .entropy(3.0),
    row(
        "docker-credentials",
        "Docker Hub access token",
        &["dckr_pat_", "dckr_oat_"],
        r"\b(?P<secret>dckr_(?:pat|oat)_[0-9A-Za-z_-]{27,})",
    )
    .cs()
    .entropy(3.0),
    row(
        "docker-credentials",
        "Docker registry password in config.json",
        &["\"auths\""],
        r#""auth"[ \t]*:[ \t]*"(?P<secret>[A-Za-z0-9+/]{8,}={0,2})""#,
    )
    .span(Span::File)
    .judge(Judge::DockerAuth),
    // ---- AI platforms ----------------------------------------------------------------------
    row(
        "openai-key",
        "OpenAI API key (legacy)",
        &["T3BlbkFJ"],
        r"\b(?P<secret>sk-[0-9A-Za-z]{20}T3BlbkFJ[0-9A-Za-z]{20})\b",
    )
    .cs()
    .entropy(3.0),
    row(
        "openai-key",
        "OpenAI project, service account or admin key",
        &["sk-proj-", "sk-svcacct-", "sk-admin-"],
        r"\b(?P<secret>sk-(?:proj|svcacct|admin)-[0-9A-Za-z_-]{40,250})(?:[^0-9A-Za-z_-]|$)",
    )
    .cs()
    .entropy(4.0),
    row(
        "anthropic-key",
        "Anthropic API key",
        &["sk-ant-api03-"],
        r"\b(?P<secret>sk-ant-api03-[0-9A-Za-z_-]{93}AA)(?:[^0-9A-Za-z_-]|$)",
    )
    .cs()
    .entropy(3.5),
    row(
        "anthropic-key",
        "Anthropic admin key",
        &["sk-ant-admin01-"],
        r"\b(?P<secret>sk-ant-admin01-[0-9A-Za-z_-]{93}AA)(?:[^0-9A-Za-z_-]|$)",
    )
    .cs()
    .entropy(3.5)
    .severity(Severity::Critical),
    // ---- Shopify ---------------------------------------------------------------------------
    row(
        "shopify-token",
        "Shopify access token",
        &["shpat_"],
        r"\b(?P<secret>shpat_[0-9a-fA-F]{32})\b",
    )
    .cs()
    .entropy(3.0),
    row(
        "shopify-token",
        "Shopify shared secret",
        &["shpss_"],
        r"\b(?P<secret>shpss_[0-9a-fA-F]{32})\b",
    )
    .cs()
    .entropy(3.0),
    row(
        "shopify-token",
        "Shopify custom app access token",
        &["shpca_"],
        r"\b(?P<secret>shpca_[0-9a-fA-F]{32})\b",
    )
    .cs()
    .entropy(3.0),
    row(
        "shopify-token",
        "Shopify private app access token",
        &["shppa_"],
        r"\b(?P<secret>shppa_[0-9a-fA-F]{32})\b",
    )
    .cs()
    .entropy(3.0),
    // ---- Chat ------------------------------------------------------------------------------
    row(
        "discord-token",
        "Discord bot token",
        &["discord"],
        r"\b(?P<secret>[MNO][0-9A-Za-z_-]{23,25}\.[0-9A-Za-z_-]{6}\.[0-9A-Za-z_-]{27,38})\b",
    )
    .span(Span::File)
    .entropy(3.5),
    row(
        "discord-webhook",
        "Discord webhook URL",
        &["discord"],
        r"(?i)https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/(?P<secret>[0-9A-Za-z_-]{60,68})",
    )
    .entropy(3.0),
    row(
        "telegram-bot-token",
        "Telegram bot token",
        &[":AA"],
        r"(?m)(?:^|[^0-9A-Za-z_-])(?P<secret>[0-9]{5,16}:AA[0-9A-Za-z_-]{33})(?:[^0-9A-Za-z_-]|$)",
    )
    .cs()
    .entropy(3.5),
    // ---- Hosting ---------------------------------------------------------------------------
    row(
        "heroku-api-key",
        "Heroku API key",
        &["heroku"],
        r#"(?i)heroku[A-Za-z0-9_.-]{0,30}(?:key|token|secret|auth|password)["'`]?[ \t]*(?:=|:=|:|=>)[ \t]*["'`]?(?P<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b"#,
    )
    .entropy(3.0),
    row(
        "heroku-api-key",
        "Heroku API key (HRKU- format)",
        &["HRKU-"],
        r"\b(?P<secret>HRKU-AA[0-9A-Za-z_-]{58})(?:[^0-9A-Za-z_-]|$)",
    )
    .cs()
    .entropy(3.5),
    row(
        "digitalocean-token",
        "DigitalOcean personal access token",
        &["dop_v1_"],
        r"\b(?P<secret>dop_v1_[0-9a-f]{64})\b",
    )
    .cs()
    .entropy(3.0),
    row(
        "digitalocean-token",
        "DigitalOcean OAuth access or refresh token",
        &["doo_v1_", "dor_v1_"],
        r"\b(?P<secret>do[or]_v1_[0-9a-f]{64})\b",
    )
    .cs()
    .entropy(3.0),
    // ---- Tokens and keys of any provider ---------------------------------------------------
    row(
        "jwt",
        "JSON Web Token",
        &["eyJ", "eyA"],
        r"\b(?P<secret>ey[JA][0-9A-Za-z_-]{8,}\.ey[JA][0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{16,})",
    )
    .cs()
    .entropy(3.0)
    .judge(Judge::Jwt),
    row(
        "private-key",
        "RSA private key",
        &["-----BEGIN RSA PRIVATE KEY"],
        r"(?s)-----BEGIN RSA PRIVATE KEY-----(?:\\[rn]|[ \t\r\n])*(?P<secret>[^ \t\r\n\\].{63,}?)(?:\\[rn]|[ \t\r\n])*-----END RSA PRIVATE KEY-----",
    )
    .cs()
    .span(Span::Block(64 * 1024))
    .judge(Judge::PrivateKey)
    .priority(1),
    row(
        "private-key",
        "EC private key",
        &["-----BEGIN EC PRIVATE KEY"],
        r"(?s)-----BEGIN EC PRIVATE KEY-----(?:\\[rn]|[ \t\r\n])*(?P<secret>[^ \t\r\n\\].{63,}?)(?:\\[rn]|[ \t\r\n])*-----END EC PRIVATE KEY-----",
    )
    .cs()
    .span(Span::Block(64 * 1024))
    .judge(Judge::PrivateKey)
    .priority(1),
    row(
        "private-key",
        "DSA private key",
        &["-----BEGIN DSA PRIVATE KEY"],
        r"(?s)-----BEGIN DSA PRIVATE KEY-----(?:\\[rn]|[ \t\r\n])*(?P<secret>[^ \t\r\n\\].{63,}?)(?:\\[rn]|[ \t\r\n])*-----END DSA PRIVATE KEY-----",
    )
    .cs()
    .span(Span::Block(64 * 1024))
    .judge(Judge::PrivateKey)
    .priority(1),
    row(
        "private-key",
        "PKCS#8 private key",
        &["-----BEGIN PRIVATE KEY"],
        r"(?s)-----BEGIN PRIVATE KEY-----(?:\\[rn]|[ \t\r\n])*(?P<secret>[^ \t\r\n\\].{63,}?)(?:\\[rn]|[ \t\r\n])*-----END PRIVATE KEY-----",
    )
    .cs()
    .span(Span::Block(64 * 1024))
    .judge(Judge::PrivateKey)
    .priority(1),
    row(
        "private-key",
        "Encrypted PKCS#8 private key",
        &["-----BEGIN ENCRYPTED PRIVATE KEY"],
        r"(?s)-----BEGIN ENCRYPTED PRIVATE KEY-----(?:\\[rn]|[ \t\r\n])*(?P<secret>[^ \t\r\n\\].{63,}?)(?:\\[rn]|[ \t\r\n])*-----END ENCRYPTED PRIVATE KEY-----",
    )
    .cs()
    .span(Span::Block(64 * 1024))
    .judge(Judge::PrivateKey)
    .priority(1)
    .severity(Severity::High),
    row(
        "private-key",
        "OpenSSH private key",
        &["-----BEGIN OPENSSH PRIVATE KEY"],
        r"(?s)-----BEGIN OPENSSH PRIVATE KEY-----(?:\\[rn]|[ \t\r\n])*(?P<secret>[^ \t\r\n\\].{63,}?)(?:\\[rn]|[ \t\r\n])*-----END OPENSSH PRIVATE KEY-----",
    )
    .cs()
    .span(Span::Block(64 * 1024))
    .judge(Judge::PrivateKey)
    .priority(1),
    row(
        "private-key",
        "PGP private key block",
        &["-----BEGIN PGP PRIVATE KEY BLOCK"],
        r"(?s)-----BEGIN PGP PRIVATE KEY BLOCK-----(?:\\[rn]|[ \t\r\n])*(?P<secret>[^ \t\r\n\\].{63,}?)(?:\\[rn]|[ \t\r\n])*-----END PGP PRIVATE KEY BLOCK-----",
    )
    .cs()
    .span(Span::Block(64 * 1024))
    .judge(Judge::PrivateKey)
    .priority(1),
    row(
        "private-key",
        "PuTTY private key",
        &["PuTTY-User-Key-File-"],
        r"(?s)PuTTY-User-Key-File-[23]:.{0,4000}?Private-Lines:[ \t]*[0-9]+\r?\n(?P<secret>[A-Za-z0-9+/=\r\n]{64,})",
    )
    .cs()
    .span(Span::Block(64 * 1024))
    .judge(Judge::PrivateKey)
    .priority(1),
    row(
        "credentials-in-url",
        "Password in a URL",
        &["://"],
        r#"(?i)\b[a-z][a-z0-9+.-]{1,30}://(?P<user>[^\s:/?#@"'`<>\[\]{}|\\^]{0,128}):(?P<secret>[^\s/?#@"'`<>\[\]{}|\\^]{1,256})@(?P<host>[a-z0-9.-]+|\[[0-9a-f:.]+\])"#,
    )
    .judge(Judge::UrlCredentials)
    .priority(1)
    .in_lockfiles(),
    // ---- Generic: a random value assigned to a secret-like name ----------------------------
    row(
        "generic-secret-assignment",
        "Secret assigned to a variable",
        NAME_KEYWORDS,
        // name, optional closing quote and type annotation (`name: &str =`), an assignment
        // operator, then a quoted literal with an optional one-letter prefix (`r"…"`).
        concat!(
            r"(?i)(?P<name>[A-Za-z0-9_.-]*",
            secret_name!(),
            r#")["'`]?[ \t]*(?::[ \t]*[A-Za-z_&][A-Za-z0-9_&'<>\[\] ]{0,30}?[ \t]*)?"#,
            r#"(?:=|:=|:|=>|\?=|\|\|=)[ \t]*[rbfu]?["'`](?P<secret>[^"'`\s\\]+)["'`]"#,
        ),
    )
    .judge(Judge::Assignment)
    .priority(2)
    // Its keywords are everyday words (`token`, `pass`, `auth`); most lines holding one
    // assign no string literal at all.
    .needs(b"\"'`"),
    row(
        "generic-secret-assignment",
        "Secret in a configuration file",
        NAME_KEYWORDS,
        concat!(
            r#"(?im)^[ \t]*(?:export[ \t]+|-[ \t]+|set[ \t]+|ENV[ \t]+)?["']?(?P<name>[A-Za-z0-9_.-]*"#,
            secret_name!(),
            r#")["']?[ \t]*(?:=|:)[ \t]*(?P<secret>[^\s"'`,{}()\[\]<>$|\\]+)(?:[ \t]+[#;].*)?[ \t]*\r?$"#,
        ),
    )
    .judge(Judge::Unquoted)
    .priority(2)
    .config_files_only()
    .needs(b"=:"),
    row(
        "generic-secret-assignment",
        "Secret in an XML element",
        NAME_KEYWORDS,
        concat!(
            r"(?i)<(?P<name>[A-Za-z0-9_.:-]*",
            secret_name!(),
            r")>(?P<secret>[^<\s]+)</(?P<close>[A-Za-z_][A-Za-z0-9_.:-]*)>",
        ),
    )
    .judge(Judge::XmlElement)
    .priority(2)
    .needs(b"<"),
    row(
        "generic-secret-assignment",
        "Secret in a .NET appSettings entry",
        NAME_KEYWORDS,
        concat!(
            r#"(?i)\bkey[ \t]*=[ \t]*"(?P<name>[A-Za-z0-9_.:-]*"#,
            secret_name!(),
            r#")"[ \t]+value[ \t]*=[ \t]*"(?P<secret>[^"\s]+)""#,
        ),
    )
    .judge(Judge::Assignment)
    .priority(2)
    .needs(b"\""),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn table_has_at_least_forty_formats_and_unique_names() {
        let names: BTreeSet<&str> = BUILTIN.iter().map(|r| r.format).collect();
        assert_eq!(names.len(), BUILTIN.len(), "format names must be unique");
        assert!(BUILTIN.len() >= 40, "only {} formats", BUILTIN.len());
        for r in BUILTIN {
            assert!(!r.keywords.is_empty(), "{} has no keyword", r.format);
            assert!(
                r.regex.contains("(?P<secret>"),
                "{} has no secret group",
                r.format
            );
        }
    }
}
