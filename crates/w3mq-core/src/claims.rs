//! Which account each engine of this install is signed in to, so that two
//! engines side by side ([`crate::accounts`]) never hold the same address:
//! their keychain entries are named by address, and one engine's sign-out
//! would delete the other's key.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::{CoreError, Result};

/// The addresses engines hold, by slot.
#[derive(Debug, Default)]
pub struct Claims {
    held: Mutex<HashMap<u32, String>>,
}

impl Claims {
    /// `slot` signs in to `address`: refused when another slot holds it.
    pub fn claim(&self, slot: u32, address: &str) -> Result<()> {
        let mut held = self
            .held
            .lock()
            .map_err(|_| CoreError::Protocol("claims poisoned".into()))?;
        if held
            .iter()
            .any(|(s, a)| *s != slot && a.eq_ignore_ascii_case(address))
        {
            return Err(CoreError::InvalidInput(
                "this account is already signed in here: switch to it instead".into(),
            ));
        }
        held.insert(slot, address.to_owned());
        Ok(())
    }

    /// `slot` holds no account any more.
    pub fn release(&self, slot: u32) {
        if let Ok(mut held) = self.held.lock() {
            held.remove(&slot);
        }
    }

    /// The address `slot` holds.
    pub fn of(&self, slot: u32) -> Option<String> {
        self.held.lock().ok().and_then(|h| h.get(&slot).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_slot_per_address_case_blind() {
        let c = Claims::default();
        c.claim(0, "0xAbC").unwrap();
        c.claim(0, "0xabc").unwrap();
        assert!(c.claim(1, "0xABC").is_err());
        c.claim(1, "0xdef").unwrap();
        c.release(0);
        c.claim(1, "0xabc").unwrap();
        assert_eq!(c.of(1).as_deref(), Some("0xabc"));
        assert_eq!(c.of(0), None);
    }
}
