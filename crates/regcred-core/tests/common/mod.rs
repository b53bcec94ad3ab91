//! Helpers shared by the inject test files.

/// Whether every byte of `needle` appears in `hay` in order: inject only ever adds bytes.
pub fn is_subsequence(needle: &[u8], hay: &[u8]) -> bool {
    let mut rest = needle.iter().peekable();
    for byte in hay {
        if rest.peek() == Some(&byte) {
            rest.next();
        }
    }
    rest.peek().is_none()
}
