//! The desktop's colour-scheme preference, for the "System" theme.
//!
//! Why not the WebView's `prefers-color-scheme`: WebKitGTK answers it from
//! GTK's `gtk-application-prefer-dark-theme`, which GNOME's dark style does
//! not necessarily set; GNOME (and KDE, through their portals) publish the
//! choice as `org.freedesktop.appearance color-scheme` in the XDG desktop
//! portal's Settings interface (1 = prefer dark, 2 = prefer light, 0 = no
//! preference). Where no portal runs (a bare X session, CI), the answer is
//! "unknown" and the UI keeps the WebView's media query.

use std::time::Duration;

use futures::StreamExt;
use zbus::zvariant::OwnedValue;

const NAMESPACE: &str = "org.freedesktop.appearance";
const KEY: &str = "color-scheme";

/// How long to wait for the portal (it may be D-Bus-activated on first use).
const WAIT: Duration = Duration::from_secs(2);

/// `Some(true)` when the desktop prefers dark, `Some(false)` when it prefers
/// light, `None` when it has no preference or no portal answers.
pub async fn prefers_dark() -> Option<bool> {
    let v = tokio::time::timeout(WAIT, read()).await.ok()??;
    scheme(v)
}

/// What a color-scheme value means.
fn scheme(v: u32) -> Option<bool> {
    match v {
        1 => Some(true),
        2 => Some(false),
        _ => None,
    }
}

/// Follows the portal's `SettingChanged` signal: `changed` gets each new colour-scheme
/// preference, as the user switches the desktop's style. Returns when no portal runs or the
/// bus closes.
pub async fn watch(changed: impl Fn(Option<bool>) + Send + 'static) {
    let Some(proxy) = settings().await else {
        return;
    };
    let Ok(mut s) = proxy.receive_signal("SettingChanged").await else {
        return;
    };
    while let Some(msg) = s.next().await {
        if let Ok((ns, key, v)) = msg.body().deserialize::<(String, String, OwnedValue)>() {
            if let Some(dark) = setting_change(&ns, &key, v) {
                changed(dark);
            }
        }
    }
}

/// What a `SettingChanged(namespace, key, value)` says of the colour scheme: `None` when it is
/// about another setting.
fn setting_change(ns: &str, key: &str, v: OwnedValue) -> Option<Option<bool>> {
    (ns == NAMESPACE && key == KEY).then(|| unwrap_u32(v).and_then(scheme))
}

async fn settings() -> Option<zbus::Proxy<'static>> {
    let conn = zbus::Connection::session().await.ok()?;
    zbus::Proxy::new_owned(
        conn,
        "org.freedesktop.portal.Desktop",
        "/org/freedesktop/portal/desktop",
        "org.freedesktop.portal.Settings",
    )
    .await
    .ok()
}

async fn read() -> Option<u32> {
    let proxy = settings().await?;
    let key = (NAMESPACE, KEY);
    // ReadOne (portal version 2) gives the value; the older Read wraps it in one more variant.
    if let Ok(v) = proxy.call::<_, _, OwnedValue>("ReadOne", &key).await {
        return unwrap_u32(v);
    }
    let v: OwnedValue = proxy.call("Read", &key).await.ok()?;
    unwrap_u32(v)
}

/// A `u32`, possibly inside variants.
fn unwrap_u32(v: OwnedValue) -> Option<u32> {
    let mut v = v;
    for _ in 0..3 {
        if let Ok(n) = u32::try_from(&v) {
            return Some(n);
        }
        let inner: OwnedValue = zbus::zvariant::Value::try_from(&v)
            .ok()
            .and_then(|x| match x {
                zbus::zvariant::Value::Value(b) => b.try_to_owned().ok(),
                _ => None,
            })?;
        v = inner;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_colour_scheme_setting_counts() {
        let v = |n: u32| OwnedValue::from(n);
        assert_eq!(setting_change(NAMESPACE, KEY, v(1)), Some(Some(true)));
        assert_eq!(setting_change(NAMESPACE, KEY, v(2)), Some(Some(false)));
        assert_eq!(setting_change(NAMESPACE, KEY, v(0)), Some(None));
        assert_eq!(setting_change(NAMESPACE, "accent-color", v(1)), None);
        assert_eq!(
            setting_change("org.gnome.desktop.interface", KEY, v(1)),
            None
        );
    }

    #[test]
    fn scheme_values() {
        assert_eq!(scheme(0), None);
        assert_eq!(scheme(1), Some(true));
        assert_eq!(scheme(2), Some(false));
        assert_eq!(scheme(7), None);
    }

    #[test]
    fn unwraps_nested_variants() {
        let one = OwnedValue::from(1u32);
        assert_eq!(unwrap_u32(one), Some(1));
        let nested = zbus::zvariant::Value::Value(Box::new(zbus::zvariant::Value::U32(2)));
        let owned = nested.try_to_owned().expect("owned");
        assert_eq!(unwrap_u32(owned), Some(2));
        assert_eq!(unwrap_u32(OwnedValue::from(true)), None);
    }
}
