//! Which network addresses ClassKeys' requests to a single sign-on provider
//! may reach. A full admin chooses the issuer, and the issuer's metadata
//! names the other endpoints, so without this an admin (or a provider) could
//! make the server fetch from its own private network: a cloud metadata
//! service, an intranet page, a port scan (server-side request forgery).
//!
//! Every request goes through [`AddressPolicy`] twice: names are resolved
//! by [`PolicyResolver`], which drops disallowed addresses (so a name that
//! later resolves elsewhere is still checked at connect time), and
//! addresses written in the URL itself are checked by
//! [`AddressPolicy::refusal`] before the request is sent.
//!
//! A provider on this machine (loopback) is allowed only while ClassKeys is
//! itself served from a loopback address, for development and tests.
//! Private networks are allowed only when the server's operator says so
//! (`CLASSKEYS_SSO_ALLOW_PRIVATE_NETWORKS=1`: an identity provider on the
//! school's own network); that never opens loopback or link-local
//! addresses (a cloud's metadata service at 169.254.169.254).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// What a provider's addresses may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressPolicy {
    /// This machine (127.0.0.0/8, ::1).
    pub loopback: bool,
    /// Private, shared and site-local networks.
    pub private: bool,
}

/// Where an address is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    Public,
    Loopback,
    Private,
    /// Never a provider: link-local (a cloud's metadata service),
    /// unspecified, multicast, broadcast, reserved.
    Nowhere,
}

impl AddressPolicy {
    /// The policy for a server whose public URL is `public_url`.
    pub fn for_public_url(public_url: &str, private: bool) -> Self {
        let loopback = url::Url::parse(public_url).is_ok_and(|url| match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            None => false,
        });
        AddressPolicy { loopback, private }
    }

    pub fn allows(&self, ip: IpAddr) -> bool {
        match reach(ip) {
            Reach::Public => true,
            Reach::Loopback => self.loopback,
            Reach::Private => self.private,
            Reach::Nowhere => false,
        }
    }

    /// Why a request to `host` (a URL's host, as written) is not sent, when
    /// it is an address the policy does not allow. Names are checked when
    /// they are resolved.
    pub fn refusal(&self, host: &str) -> Option<String> {
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        let ip: IpAddr = literal.parse().ok()?;
        (!self.allows(ip)).then(|| refused(host))
    }
}

fn refused(host: &str) -> String {
    format!(
        "ClassKeys does not connect to {host}, which is a private or local network address; \
         a provider must be reachable on the internet"
    )
}

fn reach(ip: IpAddr) -> Reach {
    match ip {
        IpAddr::V4(ip) => reach_v4(ip),
        IpAddr::V6(ip) => reach_v6(ip),
    }
}

fn reach_v4(ip: Ipv4Addr) -> Reach {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() {
        Reach::Loopback
    } else if a == 0 || ip.is_link_local() || ip.is_multicast() || ip.is_broadcast() || a >= 240 {
        Reach::Nowhere
    } else if ip.is_private()
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, benchmarking, documentation.
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        || ip.is_documentation()
    {
        Reach::Private
    } else {
        Reach::Public
    }
}

fn reach_v6(ip: Ipv6Addr) -> Reach {
    let segments = ip.segments();
    let v4 = |high: u16, low: u16| Ipv4Addr::from(((high as u32) << 16) | low as u32);
    // An IPv4 address inside IPv6 reaches wherever the IPv4 address does:
    // mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96 and the local-use
    // 64:ff9b:1::/48) and 6to4 (2002::/16, the address in its next 32 bits).
    if let Some(v4) = ip.to_ipv4_mapped() {
        return reach_v4(v4);
    }
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || segments[..3] == [0x64, 0xff9b, 1] {
        return reach_v4(v4(segments[6], segments[7]));
    }
    if segments[0] == 0x2002 {
        return reach_v4(v4(segments[1], segments[2]));
    }
    if ip.is_loopback() {
        return Reach::Loopback;
    }
    // IPv4-compatible (::/96) and IPv4-translated (::ffff:0:0:0/96)
    // addresses are deprecated: never a provider.
    let compatible = segments[..6] == [0; 6];
    let translated = segments[..6] == [0, 0, 0, 0, 0xffff, 0];
    let link_local = (segments[0] & 0xffc0) == 0xfe80;
    if compatible || translated || link_local || ip.is_multicast() {
        Reach::Nowhere
    } else if (segments[0] & 0xfe00) == 0xfc00 // unique local
        || (segments[0] & 0xffc0) == 0xfec0 // site-local
        || (segments[0] == 0x2001 && segments[1] == 0x0db8)
    // documentation
    {
        Reach::Private
    } else {
        Reach::Public
    }
}

/// The system resolver, keeping only the addresses the policy allows.
pub struct PolicyResolver(pub AddressPolicy);

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .iter()
                .copied()
                .filter(|addr| policy.allows(addr.ip()))
                .collect();
            if allowed.is_empty() && !found.is_empty() {
                return Err(refused(&host).into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRODUCTION: AddressPolicy = AddressPolicy {
        loopback: false,
        private: false,
    };

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn public_addresses_only_by_default() {
        for public in [
            "8.8.8.8",
            "142.250.74.110",
            "2a00:1450:4009:81f::200e",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(PRODUCTION.allows(ip(public)), "{public}");
        }
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "198.18.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::a9fe:a9fe",
            "2002:a00:1::1",
            "::a9fe:a9fe",
            "::7f00:1",
            "::ffff:0:a9fe:a9fe",
        ] {
            assert!(!PRODUCTION.allows(ip(internal)), "{internal}");
        }
    }

    #[test]
    fn loopback_only_while_classkeys_is_served_from_loopback() {
        for local in [
            "http://127.0.0.1:3000",
            "http://localhost:3000",
            "http://[::1]:3000",
        ] {
            let policy = AddressPolicy::for_public_url(local, false);
            assert!(policy.allows(ip("127.0.0.1")), "{local}");
            assert!(policy.allows(ip("::1")), "{local}");
            assert!(!policy.allows(ip("10.0.0.1")), "{local}");
        }
        let site = AddressPolicy::for_public_url("https://keys.school.example", false);
        assert_eq!(site, PRODUCTION);
    }

    #[test]
    fn the_operator_may_allow_private_networks_but_never_this_machine_or_link_local() {
        let policy = AddressPolicy::for_public_url("https://keys.school.example", true);
        for private in ["10.1.2.3", "192.168.0.10", "fd00::1"] {
            assert!(policy.allows(ip(private)), "{private}");
        }
        for never in [
            "127.0.0.1",
            "::1",
            "169.254.169.254",
            "fe80::1",
            "0.0.0.0",
            "ff02::1",
        ] {
            assert!(!policy.allows(ip(never)), "{never}");
        }
    }

    #[test]
    fn addresses_written_in_urls_are_checked() {
        assert!(PRODUCTION.refusal("169.254.169.254").is_some());
        assert!(PRODUCTION.refusal("[fd00::1]").is_some());
        assert!(
            PRODUCTION.refusal("login.example.com").is_none(),
            "names: at resolution"
        );
        assert!(PRODUCTION.refusal("8.8.8.8").is_none());
    }

    #[tokio::test]
    async fn names_resolving_to_refused_addresses_are_not_reached() {
        let name: Name = "localhost".parse().unwrap();
        let error = match PolicyResolver(PRODUCTION).resolve(name).await {
            Ok(_) => panic!("localhost resolved under the production policy"),
            Err(error) => error.to_string(),
        };
        assert!(
            error.contains("private or local network address"),
            "{error}"
        );
        let name: Name = "localhost".parse().unwrap();
        let local = AddressPolicy {
            loopback: true,
            private: false,
        };
        let addrs: Vec<SocketAddr> = PolicyResolver(local).resolve(name).await.unwrap().collect();
        assert!(!addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback()));
    }
}
