//! The one rustls crypto provider of the process: ring.
//!
//! reqwest is built with `rustls-no-provider` (see the root `Cargo.toml`) so that
//! aws-lc-rs does not sit beside ring in the build; the price is that reqwest takes
//! rustls' process-wide default provider and refuses to build a client when none is
//! installed. Every client this crate builds calls [`install_crypto_provider`] first.

/// Installs ring as rustls' default provider. Idempotent: a second call, or a host
/// that installed a provider first, leaves the installed one in place.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // `Err` means a provider is already installed, which is what we want.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
