//! Sealed "reveal copies" of learner passwords and parent access codes
//! (DESIGN.md §2): XChaCha20-Poly1305 under a server key, bound to the row
//! they belong to through the associated data.

use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD};
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::{Digest, Sha256};

const NONCE_LEN: usize = 24;

/// What a sealed value belongs to. A ciphertext opened with other
/// associated data fails, so it cannot be moved to another row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealedFor<'a> {
    LearnerPassword {
        school_id: &'a str,
        learner_id: &'a str,
        password_version: i64,
    },
    ParentAccessCode {
        school_id: &'a str,
        learner_id: &'a str,
    },
    /// A queued email's plain-text or HTML body (it may carry a live link).
    OutgoingMessage {
        message_id: &'a str,
        part: &'static str,
    },
    /// A finished roster import's summary, with the new learners' passwords,
    /// kept until the admin who ran it reads it once.
    ImportOutcome { job_id: &'a str },
    /// A school's single sign-on client secret.
    SsoClientSecret { school_id: &'a str },
}

impl SealedFor<'_> {
    fn associated_data(&self) -> Vec<u8> {
        match self {
            SealedFor::LearnerPassword {
                school_id,
                learner_id,
                password_version,
            } => {
                format!(
                    "classkeys/learner-password/v1\0{school_id}\0{learner_id}\0{password_version}"
                )
            }
            SealedFor::ParentAccessCode {
                school_id,
                learner_id,
            } => {
                format!("classkeys/parent-access-code/v1\0{school_id}\0{learner_id}")
            }
            SealedFor::OutgoingMessage { message_id, part } => {
                format!("classkeys/outgoing-message/v1\0{message_id}\0{part}")
            }
            SealedFor::ImportOutcome { job_id } => {
                format!("classkeys/import-outcome/v1\0{job_id}")
            }
            SealedFor::SsoClientSecret { school_id } => {
                format!("classkeys/sso-client-secret/v1\0{school_id}")
            }
        }
        .into_bytes()
    }
}

/// A sealed value as stored: which key sealed it, and base64(nonce || ciphertext).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub sealed: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the key that sealed this value is not configured")]
    UnknownKey,
    #[error("the sealed value is damaged or belongs to another row")]
    Tampered,
}

/// The 32-byte server key. `Debug` never prints it.
pub struct SecretKey(SecretBox<[u8; 32]>);

impl SecretKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        SecretKey(SecretBox::new(Box::new(bytes)))
    }

    pub fn generate() -> Self {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        Self::from_bytes(key.into())
    }

    /// Reads the base64 form used by `CLASSKEYS_SECRET_KEY` and `secret.key`.
    pub fn from_base64(text: &str) -> Result<Self, String> {
        let bytes = BASE64
            .decode(text.trim())
            .map_err(|_| "the secret key is not valid base64".to_string())?;
        let bytes: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "the secret key must be exactly 32 bytes".to_string())?;
        Ok(Self::from_bytes(bytes))
    }

    pub fn to_base64(&self) -> SecretString {
        SecretString::from(BASE64.encode(self.0.expose_secret()))
    }

    /// A short public name for the key, stored beside each sealed value so
    /// keys can be rotated.
    pub fn id(&self) -> String {
        let digest =
            Sha256::digest([b"classkeys key id\0".as_slice(), self.0.expose_secret()].concat());
        digest[..6].iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretKey({})", self.id())
    }
}

/// What one configured key is used as. Sealing and look-ups get separate
/// subkeys derived with HKDF-SHA256, so neither use can weaken the other;
/// values written before subkeys existed used the key itself
/// (`legacy`), and still open.
struct KeyUse {
    key_id: String,
    seal: SecretBox<[u8; 32]>,
    lookup: SecretBox<[u8; 32]>,
}

impl KeyUse {
    fn derived(key: &SecretKey) -> KeyUse {
        let hkdf = Hkdf::<Sha256>::new(Some(b"classkeys subkeys v2"), key.0.expose_secret());
        let subkey = |info: &[u8]| {
            let mut out = [0u8; 32];
            hkdf.expand(info, &mut out)
                .expect("32 bytes is a valid HKDF-SHA256 length");
            SecretBox::new(Box::new(out))
        };
        KeyUse {
            key_id: format!("v2-{}", key.id()),
            seal: subkey(b"classkeys/seal"),
            lookup: subkey(b"classkeys/lookup"),
        }
    }

    fn legacy(key: &SecretKey) -> KeyUse {
        KeyUse {
            key_id: key.id(),
            seal: SecretBox::new(Box::new(*key.0.expose_secret())),
            lookup: SecretBox::new(Box::new(*key.0.expose_secret())),
        }
    }

    fn lookup_hash(&self, normalised_code: &str) -> String {
        self.keyed_hash(b"classkeys/parent-access-code-lookup/v1\0", normalised_code)
    }

    /// HMAC-SHA-256 under the look-up subkey, `domain` keeping each use's
    /// hashes apart, as hex.
    fn keyed_hash(&self, domain: &[u8], input: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.lookup.expose_secret())
            .expect("HMAC accepts any key length");
        mac.update(domain);
        mac.update(input.as_bytes());
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl KeyUse {
    /// A QR badge's token: a keyed hash of the badge's random id, so the
    /// token itself is never stored and a card can be printed again.
    fn badge_token(&self, badge_id: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.lookup.expose_secret())
            .expect("HMAC accepts any key length");
        mac.update(b"classkeys/badge-token/v1\0");
        mac.update(badge_id.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

/// Seals with the current key; opens with the current key or an older one
/// (`CLASSKEYS_OLD_SECRET_KEYS`), so a key can be rotated without losing a
/// single sealed value (see `passwords::rotation`).
pub struct Sealer {
    current: KeyUse,
    /// Every other way a stored value may have been sealed: the current
    /// key's legacy use, then each older key's derived and legacy uses.
    others: Vec<KeyUse>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("current", &self.current.key_id)
            .field("others", &self.others.len())
            .finish()
    }
}

impl Sealer {
    pub fn new(current: SecretKey, older: Vec<SecretKey>) -> Self {
        let mut others = vec![KeyUse::legacy(&current)];
        for key in &older {
            others.push(KeyUse::derived(key));
            others.push(KeyUse::legacy(key));
        }
        Sealer {
            current: KeyUse::derived(&current),
            others,
        }
    }

    /// The id stored beside everything sealed with the current key.
    pub fn current_key_id(&self) -> &str {
        &self.current.key_id
    }

    pub fn seal(&self, plaintext: &str, sealed_for: &SealedFor<'_>) -> Sealed {
        let cipher = XChaCha20Poly1305::new(self.current.seal.expose_secret().into());
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = sealed_for.associated_data();
        let ciphertext = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad,
                },
            )
            .expect("XChaCha20-Poly1305 encryption cannot fail for in-memory data");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&ciphertext);
        Sealed {
            key_id: self.current.key_id.clone(),
            sealed: BASE64.encode(bytes),
        }
    }

    pub fn open(
        &self,
        sealed: &Sealed,
        sealed_for: &SealedFor<'_>,
    ) -> Result<SecretString, SealError> {
        let key = std::iter::once(&self.current)
            .chain(&self.others)
            .find(|key| key.key_id == sealed.key_id)
            .ok_or(SealError::UnknownKey)?;
        let bytes = BASE64
            .decode(&sealed.sealed)
            .map_err(|_| SealError::Tampered)?;
        if bytes.len() < NONCE_LEN {
            return Err(SealError::Tampered);
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let cipher = XChaCha20Poly1305::new(key.seal.expose_secret().into());
        let aad = sealed_for.associated_data();
        let plaintext = cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| SealError::Tampered)?;
        String::from_utf8(plaintext)
            .map(SecretString::from)
            .map_err(|_| SealError::Tampered)
    }

    /// A keyed hash of a parent access code under the current look-up
    /// subkey, for finding it by what a parent types without storing it.
    pub fn lookup_hash(&self, normalised_code: &str) -> String {
        self.current.lookup_hash(normalised_code)
    }

    /// A keyed hash of a sign-in name that belongs to no account, to count
    /// its failures without keeping what was typed.
    pub fn sign_in_name_key(&self, normalised_name: &str) -> String {
        self.current
            .keyed_hash(b"classkeys/unknown-sign-in-name/v1\0", normalised_name)
    }

    /// A new badge's token under the current key: (key id, token).
    pub fn badge_token(&self, badge_id: &str) -> (String, String) {
        (
            self.current.key_id.clone(),
            self.current.badge_token(badge_id),
        )
    }

    /// The token of a badge made under `key_id`, while that key is
    /// configured (current or in `CLASSKEYS_OLD_SECRET_KEYS`).
    pub fn badge_token_under(&self, key_id: &str, badge_id: &str) -> Option<String> {
        std::iter::once(&self.current)
            .chain(&self.others)
            .find(|key| key.key_id == key_id)
            .map(|key| key.badge_token(badge_id))
    }

    /// The code's hash under every configured key, current first: a code
    /// stored before a rotation is still found (and then re-keyed).
    pub fn lookup_candidates(&self, normalised_code: &str) -> Vec<String> {
        std::iter::once(&self.current)
            .chain(&self.others)
            .map(|key| key.lookup_hash(normalised_code))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn learner(version: i64) -> SealedFor<'static> {
        SealedFor::LearnerPassword {
            school_id: "school-1",
            learner_id: "learner-1",
            password_version: version,
        }
    }

    #[test]
    fn a_sealed_password_opens_to_the_same_text() {
        let sealer = Sealer::new(SecretKey::generate(), vec![]);
        let sealed = sealer.seal("greenfox47", &learner(1));
        assert!(!sealed.sealed.contains("greenfox47"));
        let opened = sealer.open(&sealed, &learner(1)).unwrap();
        assert_eq!(opened.expose_secret(), "greenfox47");
    }

    #[test]
    fn sealing_twice_gives_different_ciphertexts() {
        let sealer = Sealer::new(SecretKey::generate(), vec![]);
        assert_ne!(
            sealer.seal("greenfox47", &learner(1)),
            sealer.seal("greenfox47", &learner(1))
        );
    }

    #[test]
    fn a_flipped_bit_is_detected() {
        let sealer = Sealer::new(SecretKey::generate(), vec![]);
        let sealed = sealer.seal("greenfox47", &learner(1));
        let mut bytes = BASE64.decode(&sealed.sealed).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = Sealed {
            sealed: BASE64.encode(bytes),
            ..sealed
        };
        assert_eq!(
            sealer.open(&tampered, &learner(1)).unwrap_err(),
            SealError::Tampered
        );
    }

    #[test]
    fn a_ciphertext_cannot_move_to_another_learner_school_or_version() {
        let sealer = Sealer::new(SecretKey::generate(), vec![]);
        let sealed = sealer.seal("greenfox47", &learner(1));
        let elsewhere = [
            learner(2),
            SealedFor::LearnerPassword {
                school_id: "school-1",
                learner_id: "learner-2",
                password_version: 1,
            },
            SealedFor::LearnerPassword {
                school_id: "school-2",
                learner_id: "learner-1",
                password_version: 1,
            },
            SealedFor::ParentAccessCode {
                school_id: "school-1",
                learner_id: "learner-1",
            },
        ];
        for other in elsewhere {
            assert_eq!(
                sealer.open(&sealed, &other).unwrap_err(),
                SealError::Tampered,
                "{other:?}"
            );
        }
    }

    #[test]
    fn truncated_or_garbage_values_are_refused() {
        let sealer = Sealer::new(SecretKey::generate(), vec![]);
        let key_id = sealer.current_key_id().to_string();
        for garbage in ["", "AAAA", "not base64!"] {
            let sealed = Sealed {
                key_id: key_id.clone(),
                sealed: garbage.into(),
            };
            assert_eq!(
                sealer.open(&sealed, &learner(1)).unwrap_err(),
                SealError::Tampered
            );
        }
    }

    #[test]
    fn values_sealed_under_an_older_key_still_open_after_rotation() {
        let old = SecretKey::generate();
        let old_copy = SecretKey::from_base64(old.to_base64().expose_secret()).unwrap();
        let sealed = Sealer::new(old, vec![]).seal("greenfox47", &learner(1));
        let rotated = Sealer::new(SecretKey::generate(), vec![old_copy]);
        assert_eq!(
            rotated.open(&sealed, &learner(1)).unwrap().expose_secret(),
            "greenfox47"
        );
        let forgotten = Sealer::new(SecretKey::generate(), vec![]);
        assert_eq!(
            forgotten.open(&sealed, &learner(1)).unwrap_err(),
            SealError::UnknownKey
        );
    }

    #[test]
    fn defect_6_sealing_and_look_ups_use_separate_subkeys_of_the_key() {
        let key = SecretKey::from_bytes([5u8; 32]);
        let sealer = Sealer::new(SecretKey::from_bytes([5u8; 32]), vec![]);
        // Neither subkey is the key itself (nor each other).
        let raw_lookup = KeyUse::legacy(&key).lookup_hash("K7QP2M9XD");
        assert_ne!(sealer.lookup_hash("K7QP2M9XD"), raw_lookup);
        let derived = KeyUse::derived(&key);
        assert_ne!(derived.seal.expose_secret(), key.0.expose_secret());
        assert_ne!(derived.seal.expose_secret(), derived.lookup.expose_secret());
        assert_ne!(sealer.current_key_id(), key.id());
    }

    #[test]
    fn defect_6_values_and_look_ups_from_before_subkeys_still_work() {
        let key = SecretKey::from_bytes([6u8; 32]);
        let old_style = KeyUse::legacy(&key);
        let sealer = Sealer::new(SecretKey::from_bytes([6u8; 32]), vec![]);
        let candidates = sealer.lookup_candidates("K7QP2M9XD");
        assert_eq!(candidates[0], sealer.lookup_hash("K7QP2M9XD"));
        assert!(candidates.contains(&old_style.lookup_hash("K7QP2M9XD")));
        // A value sealed with the bare key (as before) opens.
        let cipher = XChaCha20Poly1305::new(old_style.seal.expose_secret().into());
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = learner(1).associated_data();
        let ciphertext = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: b"greenfox47",
                    aad: &aad,
                },
            )
            .unwrap();
        let sealed = Sealed {
            key_id: key.id(),
            sealed: BASE64.encode([nonce.to_vec(), ciphertext].concat()),
        };
        assert_eq!(
            sealer.open(&sealed, &learner(1)).unwrap().expose_secret(),
            "greenfox47"
        );
    }

    #[test]
    fn defect_6_an_older_key_still_finds_its_codes() {
        let old = SecretKey::generate();
        let before = Sealer::new(
            SecretKey::from_base64(old.to_base64().expose_secret()).unwrap(),
            vec![],
        );
        let stored = before.lookup_hash("K7QP2M9XD");
        let rotated = Sealer::new(SecretKey::generate(), vec![old]);
        assert_ne!(rotated.lookup_hash("K7QP2M9XD"), stored);
        assert!(rotated.lookup_candidates("K7QP2M9XD").contains(&stored));
    }

    #[test]
    fn keys_parse_only_from_32_bytes_of_base64() {
        assert!(SecretKey::from_base64(&BASE64.encode([7u8; 32])).is_ok());
        assert!(SecretKey::from_base64(&BASE64.encode([7u8; 16])).is_err());
        assert!(SecretKey::from_base64("%%%").is_err());
    }

    #[test]
    fn debug_shows_only_the_key_id() {
        let key = SecretKey::from_bytes([9u8; 32]);
        let text = format!("{key:?}");
        assert_eq!(text, format!("SecretKey({})", key.id()));
    }
}
