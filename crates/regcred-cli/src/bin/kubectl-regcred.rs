//! `kubectl-regcred`: the same program as `regcred`, found by kubectl as the `regcred` plugin.

fn main() -> std::process::ExitCode {
    regcred_cli::main()
}
