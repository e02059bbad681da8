//! Secret tokens for links and cookies: 256 random bits, URL-safe. Only their SHA-256 hash is
//! stored, so a copy of the database does not hand out working links or sessions.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub fn random() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// HMAC-SHA256 (RFC 2104) of `message` under `key`, URL-safe: a token only someone holding the
/// key can make, checked without storing anything.
pub fn sign(key: &[u8], message: &[u8]) -> String {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    URL_SAFE_NO_PAD.encode(outer)
}

/// Whether two secrets are equal, in time that does not depend on where they first differ (only
/// their lengths are compared up front), so a guesser learns nothing from how long a check takes.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_is_hmac_sha256() {
        // RFC 4231, test case 2.
        let mac = sign(b"Jefe", b"what do ya want for nothing?");
        let hex: String = URL_SAFE_NO_PAD
            .decode(mac)
            .unwrap()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
