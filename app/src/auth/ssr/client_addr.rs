//! The client's network address for rate limits and the audit log.
//! `X-Forwarded-For` is believed only from a configured trusted proxy.

use std::net::{IpAddr, SocketAddr};

/// Proxies whose `X-Forwarded-For` header is believed
/// (`CLASSKEYS_TRUSTED_PROXIES`, comma-separated addresses).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Vec<IpAddr>);

/// The network a per-address limit counts: an IPv4 address as it is, an
/// IPv6 address by its /64 (one household or host gets a whole /64, so its
/// single addresses are free to rotate). IPv4-mapped IPv6 counts as IPv4.
/// Every per-address limit (sign-in slowdown, hashing fairness, parent
/// codes, reset links) keys on this.
pub fn network_of(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
    }
}

/// [`network_of`] for an address kept as text (as the audit log keeps it):
/// what the per-address limits count in `audit_events.client_net`. Empty
/// for text that is no address.
pub fn network_label(client: &str) -> String {
    client
        .parse()
        .map(|addr| network_of(addr).to_string())
        .unwrap_or_default()
}

pub fn client_addr(
    peer: Option<SocketAddr>,
    headers: &http::HeaderMap,
    trusted: &TrustedProxies,
) -> IpAddr {
    let peer_ip = peer.map(|p| p.ip()).unwrap_or(IpAddr::from([127, 0, 0, 1]));
    if !trusted.0.contains(&peer_ip) {
        return peer_ip;
    }
    // The last address not added by one of our own proxies is the client.
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|part| part.trim().parse::<IpAddr>().ok())
        .rev()
        .find(|ip| !trusted.0.contains(ip))
        .unwrap_or(peer_ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-forwarded-for", xff.parse().unwrap());
        headers
    }

    #[test]
    fn defect_3_networks_are_ipv4_addresses_and_ipv6_slash_64s() {
        let net = |text: &str| network_of(text.parse().unwrap()).to_string();
        assert_eq!(net("203.0.113.9"), "203.0.113.9");
        assert_eq!(net("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::");
        assert_eq!(net("2001:db8:1:2::1"), net("2001:db8:1:2:ffff::9"));
        assert_ne!(net("2001:db8:1:2::1"), net("2001:db8:1:3::1"));
        assert_eq!(net("::ffff:198.51.100.7"), "198.51.100.7");
    }

    #[test]
    fn a_forged_header_from_an_untrusted_peer_is_ignored() {
        let peer: SocketAddr = "198.51.100.7:5000".parse().unwrap();
        let ip = client_addr(Some(peer), &headers("1.2.3.4"), &TrustedProxies::default());
        assert_eq!(ip, peer.ip());
    }

    #[test]
    fn a_trusted_proxy_passes_on_the_client_address() {
        let proxy: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let trusted = TrustedProxies(vec![proxy.ip()]);
        let ip = client_addr(Some(proxy), &headers("6.6.6.6, 203.0.113.9"), &trusted);
        assert_eq!(ip, "203.0.113.9".parse::<IpAddr>().unwrap());
    }
}
