//! Secrets at rest: AES-256-GCM under `NAVSYNC_CRYPTO__KEY`, and generation of webhook
//! secrets from the OS RNG.
//!
//! A stored value is `v1.<key id>.<base64url(nonce || ciphertext)>`. The key id (the first
//! 8 bytes of SHA-256 of the key, in hex) lets a rotation keep old keys for decryption
//! (`NAVSYNC_CRYPTO__PREVIOUS_KEYS`) while new values use the current key. The associated
//! data binds each ciphertext to its integration and field, so a ciphertext copied into
//! another row or column fails to decrypt instead of revealing one secret as another.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use uuid::Uuid;

const FORMAT: &str = "v1";
const NONCE_LEN: usize = 12;

/// Which secret a ciphertext holds; part of the associated data.
#[derive(Debug, Clone, Copy)]
pub enum Field {
    Pat,
    WebhookSecret,
}

impl Field {
    fn label(self) -> &'static str {
        match self {
            Field::Pat => "pat",
            Field::WebhookSecret => "webhook_secret",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("the stored value is not in a known format")]
    Format,
    #[error("no configured key has id {0}; add it to NAVSYNC_CRYPTO__PREVIOUS_KEYS")]
    UnknownKey(String),
    #[error("the stored value failed authentication")]
    Decrypt,
}

struct Key {
    id: String,
    cipher: Aes256Gcm,
}

/// Encrypts with the current key; decrypts with any configured key.
pub struct SecretBox {
    current: Key,
    previous: Vec<Key>,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretBox(current key {})", self.current.id)
    }
}

impl SecretBox {
    pub fn new(current: [u8; 32], previous: &[[u8; 32]]) -> Self {
        Self {
            current: Key::new(&current),
            previous: previous.iter().map(Key::new).collect(),
        }
    }

    pub fn current_key_id(&self) -> &str {
        &self.current.id
    }

    pub fn encrypt(&self, integration: Uuid, field: Field, plaintext: &str) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let aad = associated_data(integration, field);
        // Encryption fails only for inputs beyond GCM's ~64 GiB limit, far past our sizes.
        let ciphertext = self
            .current
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad,
                },
            )
            .unwrap_or_default();
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ciphertext);
        format!(
            "{FORMAT}.{}.{}",
            self.current.id,
            URL_SAFE_NO_PAD.encode(blob)
        )
    }

    pub fn decrypt(
        &self,
        integration: Uuid,
        field: Field,
        stored: &str,
    ) -> Result<SecretString, CryptoError> {
        let mut parts = stored.splitn(3, '.');
        let (Some(FORMAT), Some(key_id), Some(body)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(CryptoError::Format);
        };
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == key_id)
            .ok_or_else(|| CryptoError::UnknownKey(key_id.to_owned()))?;
        let blob = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| CryptoError::Format)?;
        if blob.len() <= NONCE_LEN {
            return Err(CryptoError::Format);
        }
        let (nonce, ciphertext) = blob.split_at(NONCE_LEN);
        let aad = associated_data(integration, field);
        let plain = key
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| CryptoError::Decrypt)?;
        String::from_utf8(plain)
            .map(SecretString::from)
            .map_err(|_| CryptoError::Decrypt)
    }

    /// True when `stored` was written under an older key and should be re-encrypted.
    pub fn needs_reencryption(&self, stored: &str) -> bool {
        stored.split('.').nth(1) != Some(self.current.id.as_str())
    }
}

impl Key {
    fn new(bytes: &[u8; 32]) -> Self {
        let digest = Sha256::digest(bytes);
        let id = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        Self {
            id,
            cipher: Aes256Gcm::new(bytes.into()),
        }
    }
}

fn associated_data(integration: Uuid, field: Field) -> Vec<u8> {
    format!("navsync:integration:{integration}:{}", field.label()).into_bytes()
}

/// A new Webhook Client Secret: 32 bytes from the OS RNG, base64url without padding
/// (43 characters, safe in URLs and in ADO's Basic-auth password field).
pub fn new_webhook_secret() -> SecretString {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    SecretString::from(URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    const K1: [u8; 32] = [1; 32];
    const K2: [u8; 32] = [2; 32];

    #[test]
    fn a_value_round_trips_and_never_appears_in_its_ciphertext() {
        let sb = SecretBox::new(K1, &[]);
        let id = Uuid::new_v4();
        let stored = sb.encrypt(id, Field::Pat, "my-secret-pat-value");
        assert!(!stored.contains("my-secret-pat-value"));
        let back = sb.decrypt(id, Field::Pat, &stored).expect("decrypts");
        assert_eq!(back.expose_secret(), "my-secret-pat-value");
    }

    #[test]
    fn the_same_value_encrypts_differently_each_time() {
        let sb = SecretBox::new(K1, &[]);
        let id = Uuid::new_v4();
        assert_ne!(
            sb.encrypt(id, Field::Pat, "x"),
            sb.encrypt(id, Field::Pat, "x")
        );
    }

    #[test]
    fn a_ciphertext_moved_to_another_row_or_field_does_not_decrypt() {
        let sb = SecretBox::new(K1, &[]);
        let id = Uuid::new_v4();
        let stored = sb.encrypt(id, Field::Pat, "x");
        assert!(sb.decrypt(Uuid::new_v4(), Field::Pat, &stored).is_err());
        assert!(sb.decrypt(id, Field::WebhookSecret, &stored).is_err());
    }

    #[test]
    fn after_a_rotation_old_values_decrypt_with_the_previous_key() {
        let id = Uuid::new_v4();
        let old = SecretBox::new(K1, &[]).encrypt(id, Field::Pat, "before");
        let rotated = SecretBox::new(K2, &[K1]);
        assert!(rotated.needs_reencryption(&old));
        let value = rotated.decrypt(id, Field::Pat, &old).expect("decrypts");
        assert_eq!(value.expose_secret(), "before");
        let fresh = rotated.encrypt(id, Field::Pat, "before");
        assert!(!rotated.needs_reencryption(&fresh));
    }

    #[test]
    fn a_value_under_a_forgotten_key_names_the_key_id_only() {
        let id = Uuid::new_v4();
        let old = SecretBox::new(K1, &[]).encrypt(id, Field::Pat, "before");
        let err = SecretBox::new(K2, &[])
            .decrypt(id, Field::Pat, &old)
            .expect_err("fails");
        assert!(matches!(err, CryptoError::UnknownKey(_)));
    }

    #[test]
    fn tampered_values_are_refused() {
        let sb = SecretBox::new(K1, &[]);
        let id = Uuid::new_v4();
        let mut stored = sb.encrypt(id, Field::Pat, "x");
        stored.push('A');
        assert!(sb.decrypt(id, Field::Pat, &stored).is_err());
        assert!(sb.decrypt(id, Field::Pat, "garbage").is_err());
        assert!(sb.decrypt(id, Field::Pat, "v1.abc.").is_err());
    }

    #[test]
    fn webhook_secrets_are_long_url_safe_and_distinct() {
        let a = new_webhook_secret();
        let b = new_webhook_secret();
        assert_eq!(a.expose_secret().len(), 43);
        assert!(
            a.expose_secret()
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_ne!(a.expose_secret(), b.expose_secret());
    }
}
