//! One module per subcommand.

pub mod inject;
