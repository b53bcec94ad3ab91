//! The scenarios: what the e2e proves, over the registry and cluster seams.

pub mod cluster;
pub mod registry;
