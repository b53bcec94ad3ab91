//! `regcred inject`: add an image pull secret to existing manifests, changing nothing else.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use regcred_core::inject::{self, InjectOptions, Injected};

/// Arguments of `regcred inject`.
#[allow(
    clippy::struct_excessive_bools,
    reason = "each bool is a command-line switch"
)]
#[derive(Debug, Clone, clap::Args)]
#[command(
    about = "Add imagePullSecrets to existing manifests, leaving every other byte as it was",
    after_help = "Prints the result to standard output unless --in-place or --check is given.\n\
                  Exit status: 0 done (or nothing to do), 1 --check found objects to change or \
                  objects that need a hand edit, 2 an input could not be read (nothing was \
                  written)."
)]
pub struct InjectArgs {
    /// Name of the pull secret to add.
    #[arg(long, value_name = "NAME")]
    pub secret: String,

    /// A manifest file, a directory of .yaml/.yml/.json files, or - for standard input.
    /// Repeatable; standard input when none is given.
    #[arg(short = 'f', long = "filename", value_name = "FILE|DIR|-")]
    pub files: Vec<PathBuf>,

    /// Walk directories given with -f recursively.
    #[arg(short = 'R', long)]
    pub recursive: bool,

    /// Rewrite the files themselves (each atomically: a temporary file, then a rename).
    #[arg(short = 'i', long, conflicts_with = "check")]
    pub in_place: bool,

    /// Change nothing; list what would change and exit 1 if anything would, or if an object
    /// needs a hand edit (for CI).
    #[arg(long)]
    pub check: bool,

    /// Only objects of this kind (repeatable or comma-separated, any case; kubectl's short names
    /// and plurals too: deploy, sts, cronjobs, ...).
    #[arg(long = "kind", value_name = "KIND", value_delimiter = ',')]
    pub kinds: Vec<String>,

    /// Only objects whose metadata.namespace is this (repeatable or comma-separated).
    #[arg(
        short = 'n',
        long = "namespace",
        value_name = "NAMESPACE",
        value_delimiter = ','
    )]
    pub namespaces: Vec<String>,

    /// Only objects whose labels match this selector, as kubectl -l reads it.
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Also add the secret to `ServiceAccounts`.
    #[arg(long)]
    pub service_accounts: bool,
}

/// One input and what inject made of it.
struct Input {
    /// `-` for standard input, else the path.
    path: Option<PathBuf>,
    text: String,
}

impl Input {
    fn name(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "<stdin>".to_owned(), |p| p.display().to_string())
    }
}

/// Runs `regcred inject`.
///
/// # Errors
/// Unreadable inputs, invalid YAML (with file, line and column), bad options, failed writes.
/// Nothing is written unless every input was read and injected.
pub fn run(args: &InjectArgs) -> anyhow::Result<ExitCode> {
    let opts = InjectOptions {
        secret: args.secret.clone(),
        kinds: args.kinds.clone(),
        namespaces: args.namespaces.clone(),
        selector: args.selector.clone(),
        service_accounts: args.service_accounts,
    };
    // Bad options are named before any input is read (standard input may be a terminal).
    inject::check_options(&opts)?;
    let inputs = read_inputs(args)?;
    if args.in_place && inputs.iter().any(|input| input.path.is_none()) {
        bail!("--in-place cannot rewrite standard input; give files with -f, or drop --in-place");
    }

    let results = inject_all(&inputs, &opts)?;
    let mut stderr = io::stderr().lock();
    for (input, out) in inputs.iter().zip(&results) {
        for finding in &out.findings {
            writeln!(stderr, "warning: {}: {finding}", input.name())?;
        }
    }

    let changed: usize = results.iter().map(|out| out.changes.len()).sum();
    let unchanged: usize = results.iter().map(|out| out.unchanged.len()).sum();
    // Every finding is an object that matched and is left without the secret.
    let left_alone: usize = results.iter().map(|out| out.findings.len()).sum();
    let left_alone_note = if left_alone > 0 {
        format!("; {left_alone} left alone and need a hand edit (see the warnings)")
    } else {
        String::new()
    };
    if args.check {
        report_check(&inputs, &results, &args.secret)?;
        writeln!(
            stderr,
            "{changed} object(s) would get '{}'; {unchanged} already have it{left_alone_note}",
            args.secret
        )?;
        return Ok(if changed + left_alone > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    }
    if args.in_place {
        write_in_place(&inputs, &results)?;
    } else {
        print_all(&inputs, &results)?;
    }
    writeln!(
        stderr,
        "added '{}' to {changed} object(s); {unchanged} already had it{left_alone_note}",
        args.secret
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Injects every input, or reports every failure and fails before anything is written.
fn inject_all(inputs: &[Input], opts: &InjectOptions) -> anyhow::Result<Vec<Injected>> {
    let mut results = Vec::with_capacity(inputs.len());
    let mut failed = 0;
    let mut stderr = io::stderr().lock();
    for input in inputs {
        match inject::inject(&input.text, opts) {
            Ok(out) => results.push(out),
            Err(error) => {
                failed += 1;
                match error.location() {
                    Some((line, column)) => writeln!(
                        stderr,
                        "error: {}:{line}:{column}: {}",
                        input.name(),
                        syntax_message(&error)
                    )?,
                    None => writeln!(stderr, "error: {}: {error}", input.name())?,
                }
            }
        }
    }
    if failed > 0 {
        bail!("{failed} input(s) could not be injected; nothing was written");
    }
    Ok(results)
}

fn syntax_message(error: &inject::Error) -> String {
    match error {
        inject::Error::Syntax { message, .. } => format!("invalid YAML: {message}"),
        other => other.to_string(),
    }
}

fn read_inputs(args: &InjectArgs) -> anyhow::Result<Vec<Input>> {
    let dash = PathBuf::from("-");
    let given = if args.files.is_empty() {
        std::slice::from_ref(&dash)
    } else {
        &args.files
    };
    let mut inputs = Vec::new();
    let mut stdin_read = false;
    // A file named twice (directly, through a directory or a symlink) is read once.
    let mut seen = HashSet::new();
    for path in given {
        if path.as_os_str() == "-" {
            if stdin_read {
                bail!("-f - is given twice; standard input can be read only once");
            }
            stdin_read = true;
            let mut text = String::new();
            io::stdin()
                .read_to_string(&mut text)
                .context("standard input is not readable UTF-8 text")?;
            inputs.push(Input { path: None, text });
        } else if path.is_dir() {
            let files = manifest_files(path, args.recursive)?;
            if files.is_empty() {
                let hint = if args.recursive {
                    ""
                } else {
                    " (add -R to look in its subdirectories)"
                };
                bail!(
                    "{} holds no .yaml, .yml or .json files{hint}",
                    path.display()
                );
            }
            for file in files {
                if seen.insert(identity(&file)?) {
                    inputs.push(read_file(file)?);
                }
            }
        } else if seen.insert(identity(path)?) {
            inputs.push(read_file(path.clone())?);
        }
    }
    Ok(inputs)
}

/// What a path names once every symlink is followed, so one file counts once.
fn identity(path: &Path) -> anyhow::Result<PathBuf> {
    fs::canonicalize(path).with_context(|| format!("cannot read {}", path.display()))
}

fn read_file(path: PathBuf) -> anyhow::Result<Input> {
    let bytes = fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = String::from_utf8(bytes).with_context(|| {
        format!(
            "{} is not UTF-8 text; convert it (for example with iconv) first",
            path.display()
        )
    })?;
    Ok(Input {
        path: Some(path),
        text,
    })
}

/// The .yaml, .yml and .json files of a directory, sorted, like `kubectl apply -f DIR`.
///
/// As there, a symlink to a file is read and a symlink to a directory is not walked into, so
/// `-R` never loops and never leaves the tree it was given.
fn manifest_files(dir: &Path, recursive: bool) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries =
            fs::read_dir(&dir).with_context(|| format!("cannot list {}", dir.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
            let path = entry.path();
            let file_type = entry
                .file_type()
                .with_context(|| format!("cannot read {}", path.display()))?;
            if file_type.is_dir() {
                if recursive {
                    dirs.push(path);
                }
            } else if path
                .extension()
                .is_some_and(|ext| ext == "yaml" || ext == "yml" || ext == "json")
            {
                files.push(path);
            } else if recursive && file_type.is_symlink() && path.is_dir() {
                writeln!(
                    io::stderr(),
                    "note: {} is a symlink to a directory; not followed (give it with -f to \
                     include it)",
                    path.display()
                )?;
            }
        }
    }
    files.sort();
    Ok(files)
}

fn report_check(inputs: &[Input], results: &[Injected], secret: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    for (input, out) in inputs.iter().zip(results) {
        for change in &out.changes {
            writeln!(
                stdout,
                "{}:{}: would add '{secret}' to {} ({})",
                input.name(),
                change.line,
                change.object,
                change.path
            )?;
        }
    }
    Ok(())
}

/// Prints every output, separated by a document marker where one is needed.
fn print_all(inputs: &[Input], results: &[Injected]) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    let mut previous: Option<&str> = None;
    for out in results {
        if let Some(previous) = previous {
            if !previous.is_empty() && !previous.ends_with('\n') {
                stdout.write_all(b"\n")?;
            }
            if !out.text.trim_start_matches('\u{feff}').starts_with("---") {
                stdout.write_all(b"---\n")?;
            }
        }
        stdout.write_all(out.text.as_bytes())?;
        previous = Some(&out.text);
    }
    debug_assert_eq!(inputs.len(), results.len());
    stdout.flush()
}

/// Rewrites every changed file, or none: each new text goes to a temporary file beside its
/// target first, and only when all of them are written are they renamed over the originals.
fn write_in_place(inputs: &[Input], results: &[Injected]) -> anyhow::Result<()> {
    let mut staged = Vec::new();
    for (input, out) in inputs.iter().zip(results) {
        let Some(path) = &input.path else { continue };
        if out.is_changed() {
            staged.push((path, stage(path, &out.text)?, out.changes.len()));
        }
    }
    let mut stderr = io::stderr().lock();
    for (path, Staged { temp, target, note }, count) in staged {
        temp.persist(&target)
            .with_context(|| format!("cannot replace {}", target.display()))?;
        writeln!(stderr, "{}: added to {count} object(s)", path.display())?;
        if let Some(note) = note {
            writeln!(stderr, "warning: {}: {note}", path.display())?;
        }
    }
    Ok(())
}

/// A new text written beside the file it replaces, not yet renamed over it.
struct Staged {
    temp: tempfile::NamedTempFile,
    /// The file itself, with symlinks followed (the symlink stays).
    target: PathBuf,
    /// What could not be kept, to say once the file is replaced.
    note: Option<String>,
}

/// A temporary file in the directory of the file `path` names, holding `text` with the file's
/// mode and owner. A read-only file is refused rather than replaced.
fn stage(path: &Path, text: &str) -> anyhow::Result<Staged> {
    let target = identity(path)?;
    let metadata =
        fs::metadata(&target).with_context(|| format!("cannot read {}", path.display()))?;
    if metadata.permissions().readonly() {
        bail!(
            "{} is read-only; nothing was written. Make it writable (chmod u+w) or leave out \
             --in-place",
            path.display()
        );
    }
    let dir = target.parent().unwrap_or(Path::new("/"));
    let mut temp = tempfile::NamedTempFile::new_in(dir).with_context(|| {
        format!(
            "cannot create a temporary file in {}; nothing was written",
            dir.display()
        )
    })?;
    temp.write_all(text.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .with_context(|| {
            format!(
                "cannot write a temporary file in {}; nothing was written",
                dir.display()
            )
        })?;
    temp.as_file()
        .set_permissions(metadata.permissions())
        .with_context(|| {
            format!(
                "cannot give a temporary file in {} the mode of {}; nothing was written",
                dir.display(),
                path.display()
            )
        })?;
    let note = keep_owner(&temp, &metadata, path)?;
    Ok(Staged { temp, target, note })
}

/// Gives the temporary file the original's owner and group, where they differ. A file that
/// would change owner is refused; for one whose group cannot be kept (a group the user is not
/// in), a note naming both groups.
#[cfg(unix)]
fn keep_owner(
    temp: &tempfile::NamedTempFile,
    original: &fs::Metadata,
    path: &Path,
) -> anyhow::Result<Option<String>> {
    use std::os::unix::fs::{MetadataExt, fchown};
    let mine = temp.as_file().metadata()?;
    let (uid, gid) = (original.uid(), original.gid());
    if mine.uid() != uid {
        fchown(temp.as_file(), Some(uid), Some(gid)).with_context(|| {
            format!(
                "{} belongs to user {uid}, and a rewritten copy would belong to you; nothing \
                 was written. Run as that user, or leave out --in-place",
                path.display()
            )
        })?;
        return Ok(None);
    }
    if mine.gid() != gid && fchown(temp.as_file(), None, Some(gid)).is_err() {
        return Ok(Some(format!(
            "its group {gid} could not be kept (you are not in it); the file now has group {}",
            mine.gid()
        )));
    }
    Ok(None)
}

#[cfg(not(unix))]
fn keep_owner(
    _: &tempfile::NamedTempFile,
    _: &fs::Metadata,
    _: &Path,
) -> anyhow::Result<Option<String>> {
    Ok(None)
}
