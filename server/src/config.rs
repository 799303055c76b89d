//! Configuration: environment variables (and an optional `.env`), each with
//! the embedded default of DESIGN.md §4. Read once at start-up.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use secrecy::SecretString;

/// A database URL whose `Debug` hides any password in it.
#[derive(Clone)]
pub struct DatabaseUrl(pub String);

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0.split_once('@') {
            Some((before, after)) if before.contains("://") => {
                let scheme = before.split("://").next().unwrap_or_default();
                write!(f, "{scheme}://***@{after}")
            }
            _ => f.write_str(&self.0),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
    pub site_addr: SocketAddr,
    pub public_url: String,
    pub smtp_url: Option<SecretString>,
    /// May carry the gateway's API key: kept out of `Debug` and logs.
    pub sms_gateway_url: Option<SecretString>,
    pub secret_key: Option<SecretString>,
    pub old_secret_keys: Vec<SecretString>,
    pub trusted_proxies: Vec<IpAddr>,
    /// Single sign-on may reach providers on private networks
    /// (`CLASSKEYS_SSO_ALLOW_PRIVATE_NETWORKS=1`).
    pub sso_private_networks: bool,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Config, String> {
        Self::from_lookup(|name| {
            std::env::var(name)
                .ok()
                .filter(|value| !value.trim().is_empty())
        })
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let data_dir = PathBuf::from(get("CLASSKEYS_DATA").unwrap_or_else(|| "data".into()));
        let database_url = get("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("classkeys.db").display()));
        if app::db::Backend::of_url(&database_url).is_none() {
            return Err(format!(
                "DATABASE_URL {:?} is not supported: use sqlite://FILE or postgres://USER@HOST/DATABASE.",
                DatabaseUrl(database_url)
            ));
        }
        let site_addr_text = get("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let site_addr: SocketAddr = site_addr_text.parse().map_err(|_| {
            format!("LEPTOS_SITE_ADDR {site_addr_text:?} is not an address such as 127.0.0.1:3000")
        })?;
        let public_url = get("CLASSKEYS_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{site_addr}"))
            .trim_end_matches('/')
            .to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(format!(
                "CLASSKEYS_PUBLIC_URL {public_url:?} must start with http:// or https://"
            ));
        }
        let sms_gateway_url = get("SMS_GATEWAY_URL").filter(|url| !url.trim().is_empty());
        if let Some(url) = &sms_gateway_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                // Not echoed: the URL may carry the gateway's API key.
                return Err("SMS_GATEWAY_URL must start with http:// or https://".into());
            }
        }
        let trusted_proxies = get("CLASSKEYS_TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse().map_err(|_| {
                    format!("CLASSKEYS_TRUSTED_PROXIES: {part:?} is not an IP address")
                })
            })
            .collect::<Result<_, _>>()?;
        let sso_private_networks = match get("CLASSKEYS_SSO_ALLOW_PRIVATE_NETWORKS").as_deref() {
            None | Some("0") => false,
            Some("1") => true,
            Some(other) => {
                return Err(format!(
                    "CLASSKEYS_SSO_ALLOW_PRIVATE_NETWORKS {other:?} must be 1 (allow) or 0"
                ))
            }
        };
        Ok(Config {
            data_dir,
            database_url: DatabaseUrl(database_url),
            site_addr,
            public_url,
            smtp_url: get("SMTP_URL").map(SecretString::from),
            sms_gateway_url: sms_gateway_url.map(SecretString::from),
            secret_key: get("CLASSKEYS_SECRET_KEY").map(SecretString::from),
            old_secret_keys: get("CLASSKEYS_OLD_SECRET_KEYS")
                .unwrap_or_default()
                .split(',')
                .filter(|key| !key.trim().is_empty())
                .map(|key| SecretString::from(key.trim().to_string()))
                .collect(),
            trusted_proxies,
            sso_private_networks,
        })
    }

    /// Cookies get `Secure` and the `__Host-` prefix when served over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn embedded_defaults_match_the_design() {
        let config = config(&[]).unwrap();
        assert_eq!(config.data_dir, PathBuf::from("data"));
        assert_eq!(config.database_url.0, "sqlite://data/classkeys.db");
        assert_eq!(config.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(config.public_url, "http://127.0.0.1:3000");
        assert!(
            config.smtp_url.is_none()
                && config.sms_gateway_url.is_none()
                && config.secret_key.is_none()
        );
        assert!(!config.secure_cookies());
    }

    #[test]
    fn the_data_folder_moves_the_database() {
        let config = config(&[("CLASSKEYS_DATA", "/srv/ck")]).unwrap();
        assert_eq!(config.database_url.0, "sqlite:///srv/ck/classkeys.db");
    }

    #[test]
    fn single_sign_on_reaches_private_networks_only_when_allowed() {
        assert!(!config(&[]).unwrap().sso_private_networks);
        let allowed = config(&[("CLASSKEYS_SSO_ALLOW_PRIVATE_NETWORKS", "1")]).unwrap();
        assert!(allowed.sso_private_networks);
        assert!(
            config(&[("CLASSKEYS_SSO_ALLOW_PRIVATE_NETWORKS", "yes please")])
                .unwrap_err()
                .contains("CLASSKEYS_SSO_ALLOW_PRIVATE_NETWORKS")
        );
    }

    #[test]
    fn an_https_public_url_makes_cookies_secure() {
        let config = config(&[("CLASSKEYS_PUBLIC_URL", "https://keys.school.example/")]).unwrap();
        assert_eq!(config.public_url, "https://keys.school.example");
        assert!(config.secure_cookies());
    }

    #[test]
    fn bad_values_are_explained() {
        assert!(config(&[("LEPTOS_SITE_ADDR", "nowhere")])
            .unwrap_err()
            .contains("LEPTOS_SITE_ADDR"));
        assert!(config(&[("CLASSKEYS_PUBLIC_URL", "keys.example")])
            .unwrap_err()
            .contains("http"));
        assert!(config(&[("CLASSKEYS_TRUSTED_PROXIES", "proxy")])
            .unwrap_err()
            .contains("not an IP"));
        assert!(config(&[("SMS_GATEWAY_URL", "sms.example/send")])
            .unwrap_err()
            .contains("SMS_GATEWAY_URL"));
    }

    #[test]
    fn debug_hides_database_passwords() {
        let url = DatabaseUrl("postgres://classkeys:hunter2@db.example/classkeys".into());
        let text = format!("{url:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("db.example"));
    }
}
