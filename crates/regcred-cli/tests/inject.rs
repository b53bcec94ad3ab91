//! `regcred inject` driven as a subprocess: files, directories, stdin, --in-place, --check.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: x\n";
const POD_INJECTED: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: x\n  imagePullSecrets:\n  - name: regcred\n";

fn regcred(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_regcred"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    // A command that refuses its options exits before reading, closing the pipe.
    if let Err(e) = pipe.write_all(stdin.unwrap_or_default().as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn stdin_to_stdout_by_default() {
    let out = regcred(&["inject", "--secret", "regcred"], Some(POD));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), POD_INJECTED);
    assert!(text(&out.stderr).contains("added 'regcred' to 1 object(s)"));
}

#[test]
fn dash_reads_stdin() {
    let out = regcred(&["inject", "--secret", "regcred", "-f", "-"], Some(POD));
    assert_eq!(text(&out.stdout), POD_INJECTED);
}

#[test]
fn in_place_rewrites_only_changed_files_and_keeps_their_mode() {
    let dir = tempfile::tempdir().unwrap();
    let (pod, done) = (dir.path().join("pod.yaml"), dir.path().join("done.yml"));
    fs::write(&pod, POD).unwrap();
    fs::write(&done, POD_INJECTED).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&pod, fs::Permissions::from_mode(0o640)).unwrap();
    }
    let before = fs::metadata(&done).unwrap().modified().unwrap();

    let out = regcred(
        &[
            "inject",
            "--secret",
            "regcred",
            "--in-place",
            "-f",
            path_str(dir.path()),
        ],
        None,
    );

    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(fs::read_to_string(&pod).unwrap(), POD_INJECTED);
    assert_eq!(fs::read_to_string(&done).unwrap(), POD_INJECTED);
    assert_eq!(fs::metadata(&done).unwrap().modified().unwrap(), before);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&pod).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }
    let leftovers = fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(leftovers, 2, "a temporary file was left behind");
    assert!(text(&out.stdout).is_empty());
}

#[test]
fn check_exits_one_when_something_would_change_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let pod = dir.path().join("pod.yaml");
    fs::write(&pod, POD).unwrap();

    let out = regcred(
        &[
            "inject",
            "--secret",
            "regcred",
            "--check",
            "-f",
            path_str(&pod),
        ],
        None,
    );

    assert_eq!(out.status.code(), Some(1));
    assert_eq!(fs::read_to_string(&pod).unwrap(), POD);
    let listing = text(&out.stdout);
    assert!(
        listing.contains("pod.yaml:9: would add 'regcred' to Pod/p (spec.imagePullSecrets)"),
        "{listing}"
    );
}

#[test]
fn check_exits_zero_when_nothing_would_change() {
    let out = regcred(
        &["inject", "--secret", "regcred", "--check"],
        Some(POD_INJECTED),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).is_empty());
}

#[test]
fn invalid_yaml_names_file_line_and_column_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (good, bad) = (
        dir.path().join("a-good.yaml"),
        dir.path().join("b-bad.yaml"),
    );
    fs::write(&good, POD).unwrap();
    fs::write(&bad, "kind: Pod\nspec:\n  containers: [a\n  x: }\n").unwrap();

    let out = regcred(
        &[
            "inject",
            "--secret",
            "regcred",
            "-i",
            "-f",
            path_str(dir.path()),
        ],
        None,
    );

    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    let location = format!("{}:4:", bad.display());
    assert!(stderr.contains(&location), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(
        fs::read_to_string(&good).unwrap(),
        POD,
        "the valid file was written anyway"
    );
}

#[test]
fn several_files_print_as_one_stream_with_document_markers() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.yaml"), dir.path().join("b.yaml"));
    fs::write(&a, POD.trim_end()).unwrap();
    fs::write(&b, POD).unwrap();

    let out = regcred(
        &[
            "inject",
            "--secret",
            "regcred",
            "-f",
            path_str(&a),
            "-f",
            path_str(&b),
        ],
        None,
    );

    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert_eq!(
        stdout,
        format!("{}\n---\n{POD_INJECTED}", POD_INJECTED.trim_end())
    );
}

#[test]
fn directories_are_walked_recursively_only_with_r() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("sub")).unwrap();
    fs::write(dir.path().join("sub/pod.yaml"), POD).unwrap();
    fs::write(dir.path().join("done.yaml"), POD_INJECTED).unwrap();
    fs::write(dir.path().join("notes.txt"), "kind: Pod\nspec: {}\n").unwrap();

    let flat = regcred(
        &[
            "inject",
            "--secret",
            "regcred",
            "--check",
            "-f",
            path_str(dir.path()),
        ],
        None,
    );
    assert_eq!(flat.status.code(), Some(0), "{}", text(&flat.stderr));
    let deep = regcred(
        &[
            "inject",
            "--secret",
            "regcred",
            "--check",
            "-R",
            "-f",
            path_str(dir.path()),
        ],
        None,
    );
    assert_eq!(deep.status.code(), Some(1));
    assert!(!text(&deep.stdout).contains("notes.txt"));
}

#[test]
fn filters_reach_the_core() {
    let input = format!("{POD}---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n");
    let out = regcred(
        &[
            "inject",
            "--secret",
            "regcred",
            "--service-accounts",
            "--kind",
            "ServiceAccount",
        ],
        Some(&input),
    );
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with(POD), "{stdout}");
    assert!(
        stdout.ends_with("  name: sa\nimagePullSecrets:\n- name: regcred\n"),
        "{stdout}"
    );
}

#[test]
fn in_place_refuses_stdin() {
    let out = regcred(&["inject", "--secret", "regcred", "--in-place"], Some(POD));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--in-place cannot rewrite standard input"));
}

#[test]
fn bad_secret_name_exits_two_naming_it() {
    let out = regcred(&["inject", "--secret", "Reg_Cred"], Some(POD));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("Reg_Cred"));
    assert!(text(&out.stdout).is_empty());
}

fn inject_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["inject", "--secret", "regcred"];
    args.extend_from_slice(extra);
    args
}

#[test]
fn a_directory_without_manifests_is_an_error_that_suggests_r() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("sub")).unwrap();
    fs::write(dir.path().join("sub/pod.yaml"), POD).unwrap();
    let out = regcred(&inject_args(&["-f", path_str(dir.path())]), None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("holds no .yaml, .yml or .json files"),
        "{stderr}"
    );
    assert!(stderr.contains("-R"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn in_place_through_a_symlink_rewrites_the_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let (target, link) = (dir.path().join("pod.yaml"), dir.path().join("link.yaml"));
    fs::write(&target, POD).unwrap();
    std::os::unix::fs::symlink("pod.yaml", &link).unwrap();

    let out = regcred(&inject_args(&["-i", "-f", path_str(&link)]), None);

    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("pod.yaml"));
    assert_eq!(fs::read_to_string(&target).unwrap(), POD_INJECTED);
}

#[cfg(unix)]
#[test]
fn recursion_reads_file_symlinks_but_does_not_follow_directory_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    fs::create_dir_all(tree.join("a")).unwrap();
    fs::write(tree.join("a/pod.yaml"), POD).unwrap();
    fs::write(dir.path().join("outside.yaml"), POD).unwrap();
    std::os::unix::fs::symlink("..", tree.join("a/up")).unwrap();
    std::os::unix::fs::symlink("../outside.yaml", tree.join("linked.yaml")).unwrap();

    let out = regcred(
        &inject_args(&["--check", "-R", "-f", path_str(&tree)]),
        None,
    );

    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(stdout.contains("a/pod.yaml:"), "{stdout}");
    assert!(stdout.contains("linked.yaml:"), "{stdout}");
    assert!(text(&out.stderr).contains("not followed"));
}

#[cfg(unix)]
#[test]
fn a_file_named_twice_or_through_a_symlink_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let pod = dir.path().join("pod.yaml");
    fs::write(&pod, POD).unwrap();
    std::os::unix::fs::symlink("pod.yaml", dir.path().join("link.yaml")).unwrap();
    let link = dir.path().join("link.yaml");

    let out = regcred(
        &inject_args(&[
            "-f",
            path_str(&pod),
            "-f",
            path_str(&link),
            "-f",
            path_str(dir.path()),
        ]),
        None,
    );

    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), POD_INJECTED);
}

#[test]
fn standard_input_named_twice_is_refused() {
    let out = regcred(&inject_args(&["-f", "-", "-f", "-"]), Some(POD));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("-f - is given twice"));
    assert!(text(&out.stdout).is_empty());
}

#[cfg(unix)]
#[test]
fn in_place_refuses_a_read_only_file_and_writes_none_of_the_others() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (first, locked) = (dir.path().join("a.yaml"), dir.path().join("b.yaml"));
    fs::write(&first, POD).unwrap();
    fs::write(&locked, POD).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o444)).unwrap();

    let out = regcred(&inject_args(&["-i", "-f", path_str(dir.path())]), None);

    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("b.yaml is read-only"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(fs::read_to_string(&first).unwrap(), POD);
    assert_eq!(fs::read_to_string(&locked).unwrap(), POD);
}

#[test]
fn check_fails_for_an_object_that_needs_a_hand_edit() {
    let input =
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  imagePullSecrets: null\n";
    let out = regcred(&inject_args(&["--check"]), Some(input));
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("is not a list"), "{stderr}");
    assert!(
        stderr.contains("1 left alone and need a hand edit"),
        "{stderr}"
    );
}

#[test]
fn bad_kind_and_namespace_filters_exit_two_naming_them_before_reading_input() {
    for (flag, value) in [("--kind", "deploymnet"), ("-n", "Prod")] {
        // No input is given: the options are refused before standard input is read.
        let out = regcred(&inject_args(&[flag, value]), None);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        assert!(
            text(&out.stderr).contains(&format!("'{value}'")),
            "{}",
            text(&out.stderr)
        );
        assert!(text(&out.stdout).is_empty());
    }
}
