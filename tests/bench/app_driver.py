"""The release app through tauri-driver, for the desktop benchmark's WebView measures."""

from __future__ import annotations

from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.options import ArgOptions


def open_app(app: Path, data_dir: str, driver: str) -> webdriver.Remote:
    """Starts `app --data-dir DATA_DIR` in a WebDriver session of the tauri-driver at `driver`."""
    opts = ArgOptions()
    opts.set_capability("browserName", "wry")
    opts.set_capability("tauri:options", {
        "application": str(app.resolve()),
        "args": ["--data-dir", data_dir],
    })
    return webdriver.Remote(command_executor=driver, options=opts)
