//! Which committed files are binary artifacts.
//!
//! A file name sorts a file into one of four classes. Names of build outputs, packages and
//! archives ([`FileClass::Artifact`]) and names nobody recognises ([`FileClass::Unknown`]) are
//! read by the walk so it can tell binary content (a NUL byte) from text; images, fonts, media
//! and documents ([`FileClass::Asset`]) are binary by nature and fine to commit; common text
//! formats ([`FileClass::Text`]) are never read for this rule. Because the decision rests only
//! on the name and on the walk's own sniffing of files this check asks for, the result does not
//! depend on which other checks run.

/// How the `committed-binary` rule treats a file, decided from its name alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FileClass {
    /// Named like a build output, package or archive; the text says what kind.
    Artifact(&'static str),
    /// Images, fonts, audio, video, documents, binary lockfiles: binary and fine.
    Asset,
    /// A common text format; never reported.
    Text,
    /// Anything else, including names without an extension.
    Unknown,
}

impl FileClass {
    /// Whether the walk must read the file so its content can be judged.
    pub(super) fn needs_content(self) -> bool {
        matches!(self, Self::Artifact(_) | Self::Unknown)
    }
}

/// Class of a file from its name (the last path segment).
pub(super) fn classify(name: &str) -> FileClass {
    if is_versioned_shared_object(name) {
        return FileClass::Artifact("shared library");
    }
    let Some(ext) = extension(name) else {
        return FileClass::Unknown;
    };
    let ext = ext.to_ascii_lowercase();
    match ext.as_str() {
        "exe" | "dll" | "ocx" | "drv" | "efi" | "sys" | "scr" | "com" => {
            FileClass::Artifact("Windows executable or library")
        }
        "so" | "dylib" | "bundle" | "node" | "pyd" | "ko" | "elf" => {
            FileClass::Artifact("shared library")
        }
        "a" | "lib" | "o" | "obj" | "pdb" | "exp" | "ilk" | "rlib" | "rmeta" => {
            FileClass::Artifact("object file or static library")
        }
        "class" | "jar" | "war" | "ear" | "aar" | "dex" => {
            FileClass::Artifact("compiled JVM or Android code")
        }
        "pyc" | "pyo" | "whl" | "egg" => FileClass::Artifact("compiled Python code or package"),
        "wasm" => FileClass::Artifact("WebAssembly module"),
        "msi" | "deb" | "rpm" | "apk" | "aab" | "ipa" | "dmg" | "pkg" | "iso" | "img"
        | "appimage" | "snap" | "flatpak" | "crx" | "xpi" | "nupkg" | "gem" | "vsix" => {
            FileClass::Artifact("installer, package or disk image")
        }
        "zip" | "tar" | "gz" | "tgz" | "bz2" | "tbz" | "tbz2" | "xz" | "txz" | "lz" | "lzma"
        | "lz4" | "zst" | "7z" | "rar" | "cab" | "cpio" | "z" => FileClass::Artifact("archive"),
        "png" | "jpg" | "jpeg" | "gif" | "bmp" | "ico" | "icns" | "cur" | "webp" | "avif"
        | "heic" | "tif" | "tiff" | "psd" | "xcf" | "svgz" | "woff" | "woff2" | "ttf" | "otf"
        | "eot" | "pdf" | "doc" | "docx" | "xls" | "xlsx" | "ppt" | "pptx" | "odt" | "ods"
        | "odp" | "odg" | "epub" | "mp3" | "m4a" | "wav" | "ogg" | "oga" | "opus" | "flac"
        | "mp4" | "m4v" | "ogv" | "webm" | "mov" | "avi" | "mkv" | "lockb" => FileClass::Asset,
        "rs" | "py" | "pyi" | "js" | "mjs" | "cjs" | "ts" | "mts" | "cts" | "tsx" | "jsx"
        | "go" | "java" | "kt" | "kts" | "scala" | "groovy" | "c" | "h" | "cc" | "cpp" | "cxx"
        | "hpp" | "hh" | "hxx" | "cs" | "fs" | "vb" | "swift" | "m" | "mm" | "rb" | "php"
        | "pl" | "pm" | "lua" | "r" | "jl" | "dart" | "ex" | "exs" | "erl" | "hrl" | "hs"
        | "ml" | "mli" | "clj" | "elm" | "zig" | "nim" | "sh" | "bash" | "zsh" | "fish" | "ps1"
        | "psm1" | "bat" | "cmd" | "sql" | "html" | "htm" | "css" | "scss" | "sass" | "less"
        | "vue" | "svelte" | "astro" | "md" | "markdown" | "mdx" | "rst" | "adoc" | "txt"
        | "json" | "jsonc" | "json5" | "jsonl" | "yaml" | "yml" | "toml" | "ini" | "cfg"
        | "conf" | "properties" | "env" | "xml" | "xsd" | "svg" | "csv" | "tsv" | "lock"
        | "gradle" | "tf" | "tfvars" | "hcl" | "proto" | "graphql" | "gql" | "cmake" | "mk"
        | "nix" | "tex" | "bib" | "diff" | "patch" | "log" | "editorconfig" | "in" | "tmpl"
        | "j2" | "hbs" | "mustache" | "liquid" | "ipynb" | "http" | "pem" | "crt" | "pub"
        | "asc" | "gitignore" | "gitattributes" | "dockerignore" | "dockerfile" => FileClass::Text,
        _ => FileClass::Unknown,
    }
}

/// Extension of a file name: the text after its last dot, unless the name starts with it.
fn extension(name: &str) -> Option<&str> {
    let dot = name.rfind('.')?;
    (dot > 0 && dot + 1 < name.len()).then(|| &name[dot + 1..])
}

/// Whether `name` looks like `libfoo.so.1` or `libfoo.so.1.2.3`.
fn is_versioned_shared_object(name: &str) -> bool {
    name.match_indices(".so.").any(|(i, m)| {
        let version = &name[i + m.len()..];
        version.starts_with(|c: char| c.is_ascii_digit())
            && version.chars().all(|c| c.is_ascii_digit() || c == '.')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_build_outputs_are_artifacts() {
        for name in [
            "app.exe",
            "APP.EXE",
            "lib.dll",
            "libz.so",
            "libz.so.1",
            "libz.so.1.2.13",
            "libz.a",
            "main.o",
            "Main.class",
            "tool.jar",
            "mod.pyc",
            "pkg-1.0-py3-none-any.whl",
            "setup.msi",
            "tool.deb",
            "app.apk",
            "disk.iso",
            "bundle.tar.gz",
            "data.zip",
        ] {
            assert!(
                matches!(classify(name), FileClass::Artifact(_)),
                "{name} should be an artifact"
            );
        }
    }

    #[test]
    fn near_misses_are_not_artifacts() {
        assert_eq!(classify("notes.exe.txt"), FileClass::Text);
        assert_eq!(classify("libz.so.txt"), FileClass::Text);
        assert_eq!(classify("libz.so.backup"), FileClass::Unknown);
        assert_eq!(classify("libz.so."), FileClass::Unknown);
        assert_eq!(classify("logo.PNG"), FileClass::Asset);
        assert_eq!(classify("bun.lockb"), FileClass::Asset);
        assert_eq!(classify("Cargo.lock"), FileClass::Text);
    }

    #[test]
    fn names_without_extension_are_unknown() {
        assert_eq!(classify("Makefile"), FileClass::Unknown);
        assert_eq!(classify(".gitignore"), FileClass::Unknown);
        assert_eq!(classify("trailing."), FileClass::Unknown);
        assert!(classify("blob").needs_content());
        assert!(classify("tool.jar").needs_content());
        assert!(!classify("lib.rs").needs_content());
        assert!(!classify("font.woff2").needs_content());
    }
}
