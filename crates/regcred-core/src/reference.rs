//! Image references (placeholder until the reference module lands).

use crate::finding::Finding;

/// Checks an image reference.
pub fn check_image(_image: &str) -> Vec<Finding> {
    // TODO: the distribution-grammar parser replaces this placeholder when its branch merges.
    Vec::new()
}
