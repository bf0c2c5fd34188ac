//! Accounts that cannot be lost, against a real w3mq-server: create with a
//! confirmed recovery phrase, restore from a phrase, a key or a keystore file,
//! export, the sign-out guard, and the sealed store where no keychain answers.
//! Keystore files go both ways through eth-account, the reference
//! implementation, in the project's Python venv (scripts/setup.sh).

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use common::{client, local, online, server};
use w3mq_core::backup::{Restore, SIGN_OUT_CONFIRMATION};
use w3mq_core::secrets::vault::StoreKind;
use w3mq_core::secrets::SecretStore;
use w3mq_core::{CoreError, Engine, EngineConfig, Key};

fn venv_python() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    assert!(
        p.exists(),
        "{} is missing: run bash scripts/setup.sh",
        p.display()
    );
    p
}

/// Runs `code` in the venv's Python with `args`; its stdout, trimmed.
fn python(code: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(venv_python())
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn secrets_of(c: &common::Client) -> String {
    std::fs::read_to_string(c.dir.path().join("secrets.json")).unwrap_or_default()
}

#[tokio::test]
async fn a_created_account_signs_in_once_its_words_are_confirmed_and_restores_from_them() {
    let s = server().await;
    let env = local(&s.http, &s.mqtt_ws);
    let mut c = client("c");
    let shown = c.engine.new_account().await.expect("new account");
    assert_eq!(shown.words.len(), 12);
    assert_eq!(shown.quiz.len(), 3);
    assert!(secrets_of(&c).is_empty(), "nothing stored before sign-in");

    // Wrong words: refused, nothing stored, the same phrase stays on offer.
    let wrong: Vec<String> = shown.quiz.iter().map(|_| "zoo".to_string()).collect();
    let e = c
        .engine
        .sign_in_new(env.clone(), Some(wrong))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "invalid_input", "{e}");
    assert!(secrets_of(&c).is_empty());

    let answers: Vec<String> = shown
        .quiz
        .iter()
        .map(|&i| shown.words[i as usize - 1].to_uppercase())
        .collect();
    let info = c
        .engine
        .sign_in_new(env.clone(), Some(answers))
        .await
        .expect("signs in");
    assert_eq!(info.address, shown.address);
    assert!(info.backed_up && info.has_phrase);
    online(&mut c.events).await;
    assert!(c.engine.backup_state().await.unwrap().backed_up);
    c.engine
        .sign_out(None)
        .await
        .expect("a backed-up account signs out");

    // The same words on another install open the same account.
    let mut d = client("d");
    let phrase = shown.words.join(" ");
    let again = d
        .engine
        .restore(env.clone(), Restore::Phrase { phrase })
        .await
        .expect("restores");
    assert_eq!(again.address, shown.address);
    assert_eq!(again.user_id, info.user_id);
    online(&mut d.events).await;
    let words = d
        .engine
        .reveal_phrase()
        .await
        .expect("the phrase came along")
        .words
        .clone();
    assert_eq!(words, shown.words);
}

#[tokio::test]
async fn sign_out_of_an_account_never_backed_up_refuses_until_it_is() {
    let s = server().await;
    let env = local(&s.http, &s.mqtt_ws);
    let mut c = client("c");
    let shown = c.engine.new_account().await.expect("new account");
    let info = c
        .engine
        .sign_in_new(env.clone(), None)
        .await
        .expect("later");
    assert!(!info.backed_up && info.has_phrase);
    online(&mut c.events).await;

    for attempt in [None, Some("delete"), Some("yes")] {
        let e = c.engine.sign_out(attempt).await.unwrap_err();
        assert!(matches!(e, CoreError::NotBackedUp), "{e}");
    }
    // An unreadable account list fails closed: the key stays.
    let list = c.dir.path().join("accounts.json");
    let saved = std::fs::read(&list).unwrap();
    std::fs::write(&list, b"{not json").unwrap();
    let e = c.engine.sign_out(None).await.unwrap_err();
    assert!(matches!(e, CoreError::NotBackedUp), "{e}");
    std::fs::write(&list, saved).unwrap();
    // The keychain holds this account's key: no switching to a sealed file over it.
    assert!(c
        .engine
        .use_sealed_store("plum-orbit-cactus-97")
        .await
        .is_err());
    assert!(
        secrets_of(&c).contains(&format!("key:{}", info.address)),
        "the key stays"
    );
    assert!(c.engine.backup_state().await.is_ok(), "still signed in");

    // Backing up: the phrase again, and the words asked back.
    let again = c.engine.reveal_phrase().await.expect("reveal");
    assert_eq!(again.words, shown.words);
    let e = c
        .engine
        .confirm_backup(vec!["zoo".into(); 3])
        .await
        .unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    assert!(!c.engine.backup_state().await.unwrap().backed_up);
    let answers = again
        .quiz
        .iter()
        .map(|&i| again.words[i as usize - 1].clone())
        .collect();
    assert!(
        c.engine
            .confirm_backup(answers)
            .await
            .expect("confirmed")
            .backed_up
    );
    c.engine.sign_out(None).await.expect("now it signs out");
    assert!(
        !secrets_of(&c).contains(&info.address),
        "key, phrase and token gone"
    );

    // Another account not backed up leaves with the typed confirmation.
    let mut e2 = client("e");
    e2.engine.new_account().await.unwrap();
    e2.engine.sign_in_new(env, None).await.unwrap();
    online(&mut e2.events).await;
    e2.engine
        .sign_out(Some(&format!(
            "  {}  ",
            SIGN_OUT_CONFIRMATION.to_uppercase()
        )))
        .await
        .expect("confirmed deletion");
    assert!(e2.engine.resume().await.unwrap().is_none());
}

#[tokio::test]
async fn keystore_files_go_both_ways_with_eth_account() {
    let s = server().await;
    let env = local(&s.http, &s.mqtt_ws);
    let mut c = client("c");
    let key = Key::generate();
    let info = c
        .engine
        .sign_in(env.clone(), key.clone())
        .await
        .expect("sign in");
    online(&mut c.events).await;

    // Ours, opened by eth-account.
    let file = c.dir.path().join("export.json");
    let weak = c
        .engine
        .export_keystore(&file, "abc", false)
        .await
        .unwrap_err();
    assert_eq!(weak.code(), "invalid_input");
    assert!(!file.exists());
    c.engine
        .export_keystore(&file, "plum-orbit-cactus-97", false)
        .await
        .expect("export");
    let again = c
        .engine
        .export_keystore(&file, "plum-orbit-cactus-97", false)
        .await;
    assert!(
        again.is_err(),
        "an existing file is not overwritten unless the user chose it"
    );
    let not_json = c.dir.path().join("bashrc");
    assert!(c
        .engine
        .export_keystore(&not_json, "plum-orbit-cactus-97", false)
        .await
        .is_err());
    assert!(!not_json.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let opened = python(
        "import json,sys\nfrom eth_account import Account\nk=Account.decrypt(json.load(open(sys.argv[1])), sys.argv[2])\nprint(Account.from_key(k).address.lower())",
        &[file.to_str().unwrap(), "plum-orbit-cactus-97"],
    );
    assert_eq!(opened, info.address);

    // Theirs (scrypt, their defaults; and PBKDF2), opened here.
    for kdf in ["scrypt", "pbkdf2"] {
        let theirs = python(
            "import json,sys\nfrom eth_account import Account\na=Account.create()\nprint(json.dumps({'addr': a.address.lower(), 'file': Account.encrypt(a.key, 'their pass 42', kdf=sys.argv[1])}))",
            &[kdf],
        );
        let v: serde_json::Value = serde_json::from_str(&theirs).unwrap();
        let json = v["file"].to_string();
        let mut d = client(kdf);
        let e = d
            .engine
            .restore(
                env.clone(),
                Restore::Keystore {
                    json: json.clone(),
                    password: "wrong".into(),
                },
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("wrong password"), "{e}");
        let got = d
            .engine
            .restore(
                env.clone(),
                Restore::Keystore {
                    json,
                    password: "their pass 42".into(),
                },
            )
            .await
            .expect("their keystore opens");
        assert_eq!(got.address, v["addr"].as_str().unwrap(), "{kdf}");
        assert!(got.backed_up && !got.has_phrase);
        online(&mut d.events).await;
    }

    // A raw key restores too; a bad one says why and changes nothing.
    let mut k = client("k");
    let e = k
        .engine
        .restore(
            env.clone(),
            Restore::PrivateKey {
                private_key: "0x1234".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "invalid_key");
    assert!(k.engine.resume().await.unwrap().is_none());
    let got = k
        .engine
        .restore(
            env,
            Restore::PrivateKey {
                private_key: key.to_hex().to_string(),
            },
        )
        .await
        .unwrap();
    assert_eq!(got.address, info.address);
    online(&mut k.events).await;
}

/// A keychain that never answers, like the Secret Service where none runs.
struct NoKeychain;
#[async_trait]
impl SecretStore for NoKeychain {
    async fn get(&self, _: &str) -> w3mq_core::Result<Option<String>> {
        Err(CoreError::Secrets(
            "no secret service provider or dbus session found".into(),
        ))
    }
    async fn set(&self, _: &str, _: &str) -> w3mq_core::Result<()> {
        Err(CoreError::Secrets(
            "no secret service provider or dbus session found".into(),
        ))
    }
    async fn delete(&self, _: &str) -> w3mq_core::Result<()> {
        Err(CoreError::Secrets(
            "no secret service provider or dbus session found".into(),
        ))
    }
}

fn keychainless(dir: &Path) -> Engine {
    Engine::new(EngineConfig {
        data_dir: dir.to_path_buf(),
        secrets: Arc::new(NoKeychain),
        device: "k".into(),
    })
}

#[tokio::test]
async fn without_a_keychain_the_sealed_store_signs_in_and_unlocks_after_a_restart() {
    common::init_logs();
    let s = server().await;
    let env = local(&s.http, &s.mqtt_ws);
    let dir = tempfile::tempdir().unwrap();
    let engine = keychainless(dir.path());
    let st = engine.secret_store().await;
    assert_eq!(st.kind, StoreKind::Keychain);
    assert!(st.keychain_error.is_some());
    let key = Key::generate();
    let e = engine.sign_in(env.clone(), key.clone()).await.unwrap_err();
    assert_eq!(e.code(), "keychain", "{e}");

    engine
        .use_sealed_store("plum-orbit-cactus-97")
        .await
        .expect("sealed");
    let mut events = engine.events();
    let info = engine
        .sign_in(env.clone(), key.clone())
        .await
        .expect("signs in");
    online(&mut events).await;
    let sealed =
        std::fs::read_to_string(dir.path().join(w3mq_core::secrets::vault::SEALED_FILE)).unwrap();
    assert!(!sealed.contains(key.to_hex().as_str()) && !sealed.contains(&info.address));
    engine.shutdown().await;

    // The next start: the cache opens, the session waits for the passphrase.
    let engine = keychainless(dir.path());
    let mut events = engine.events();
    assert!(engine.secret_store().await.locked);
    let resumed = engine.resume().await.expect("resume").expect("an account");
    assert_eq!(resumed.address, info.address);
    assert_eq!(
        engine
            .unlock_secrets("not it at all")
            .await
            .unwrap_err()
            .code(),
        "invalid_key"
    );
    engine
        .unlock_secrets("plum-orbit-cactus-97")
        .await
        .expect("unlocks");
    online(&mut events).await;
    assert!(!engine.secret_store().await.locked);
    engine.shutdown().await;
}
