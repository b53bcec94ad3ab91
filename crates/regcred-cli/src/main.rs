//! The `regcred` command.

fn main() -> std::process::ExitCode {
    regcred_cli::main()
}
