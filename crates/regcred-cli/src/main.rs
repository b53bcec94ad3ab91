//! The `regcred` command (also installed as `kubectl-regcred`).

fn main() {}
