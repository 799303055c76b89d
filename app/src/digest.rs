//! SHA-256 as lower-case hex: what is stored of a token or a session id,
//! and the basis a roster preview is applied against.

use sha2::{Digest, Sha256};

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
