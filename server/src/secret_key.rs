//! The key that seals viewable learner passwords: from
//! `CLASSKEYS_SECRET_KEY`, or `<data>/secret.key`, created once with
//! owner-only permissions.

use std::io::Write;
use std::path::Path;

use app::passwords::sealing::{Sealer, SecretKey};
use secrecy::ExposeSecret;

use crate::config::Config;

pub fn load_sealer(config: &Config) -> Result<Sealer, String> {
    let current = match &config.secret_key {
        Some(text) => SecretKey::from_base64(text.expose_secret())
            .map_err(|e| format!("CLASSKEYS_SECRET_KEY: {e}"))?,
        None => load_or_create_key_file(&config.data_dir.join("secret.key"))?,
    };
    let older = config
        .old_secret_keys
        .iter()
        .map(|text| {
            SecretKey::from_base64(text.expose_secret())
                .map_err(|e| format!("CLASSKEYS_OLD_SECRET_KEYS: {e}"))
        })
        .collect::<Result<_, _>>()?;
    Ok(Sealer::new(current, older))
}

fn load_or_create_key_file(path: &Path) -> Result<SecretKey, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            // A key others can read unseals every stored learner password.
            if app::files::open_to_others(path).map_err(|e| format!("{}: {e}", path.display()))? {
                return Err(format!(
                    "{} can be read by other users of this machine, so ClassKeys will not use it. \
                     Run `chmod 600 {}` (and check who may have copied it), then start again.",
                    path.display(),
                    path.display()
                ));
            }
            SecretKey::from_base64(&text).map_err(|e| format!("{}: {e}", path.display()))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let key = SecretKey::generate();
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
            file.write_all(key.to_base64().expose_secret().as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            tracing::info!(path = %path.display(), "created a new secret key");
            Ok(key)
        }
        Err(error) => Err(format!("cannot read {}: {error}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_file_is_created_once_for_the_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/secret.key");
        let first = load_or_create_key_file(&path).unwrap();
        let second = load_or_create_key_file(&path).unwrap();
        assert_eq!(first.id(), second.id(), "the same key is read back");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn defect_5_a_key_file_other_users_can_read_refuses_to_start() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        load_or_create_key_file(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = load_or_create_key_file(&path).unwrap_err();
        assert!(error.contains("chmod 600"), "{error}");
    }

    #[test]
    fn a_damaged_key_file_is_an_error_not_a_new_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        std::fs::write(&path, "not a key").unwrap();
        app::files::make_private(&path).unwrap();
        let error = load_or_create_key_file(&path).unwrap_err();
        assert!(error.contains("base64"), "{error}");
    }
}
