fn main() {
    // The app package's manifest is at the repository root; its capabilities
    // live beside the shell's sources.
    let attrs =
        tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/*.json");
    if let Err(e) = tauri_build::try_build(attrs) {
        panic!("tauri-build: {e:#}");
    }
}
