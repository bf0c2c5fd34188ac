//! How strong a password is, as zxcvbn estimates it: shown while the user picks
//! the password of a keystore export or of the sealed secret store.

use serde::Serialize;

/// A password's estimated strength.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Strength {
    /// 0 (guessed at once) to 4 (very hard to guess).
    pub score: u8,
    /// What the score means, in a few words.
    pub label: String,
    /// A hint to make it stronger, when there is one.
    pub hint: Option<String>,
}

/// The lowest score accepted for a password or passphrase that protects a key ("strong":
/// zxcvbn's estimate of 10^10 guesses or more).
pub const MIN_SCORE: u8 = 3;

/// Estimates `password`'s strength; `user_inputs` (the nickname, the address) count as guessable.
pub fn estimate(password: &str, user_inputs: &[&str]) -> Strength {
    if password.is_empty() {
        return Strength {
            score: 0,
            label: "empty".into(),
            hint: None,
        };
    }
    let e = zxcvbn::zxcvbn(password, user_inputs);
    let score = u8::from(e.score());
    let label = match score {
        0 => "very weak",
        1 => "weak",
        2 => "fair",
        3 => "strong",
        _ => "very strong",
    };
    let hint = e.feedback().and_then(|f| {
        f.warning()
            .map(|w| w.to_string())
            .or_else(|| f.suggestions().first().map(|s| s.to_string()))
    });
    Strength {
        score,
        label: label.into(),
        hint,
    }
}

/// Refuses a `what` ("password", "passphrase") scoring below `min`, saying why.
pub fn require(
    password: &str,
    min: u8,
    user_inputs: &[&str],
    what: &str,
) -> crate::error::Result<()> {
    let s = estimate(password, user_inputs);
    if s.score >= min {
        return Ok(());
    }
    Err(crate::error::CoreError::InvalidInput(format!(
        "this {what} is {}: choose a longer one{}",
        s.label,
        s.hint.map(|h| format!(" ({h})")).unwrap_or_default()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_passwords_are_weak_and_long_random_ones_strong() {
        assert_eq!(estimate("", &[]).score, 0);
        assert!(estimate("password1", &[]).score <= 1);
        assert!(estimate("fran fit", &["fran fit"]).score <= 1);
        assert!(estimate("plum-orbit-cactus-97-lantern", &[]).score >= MIN_SCORE);
    }
}
