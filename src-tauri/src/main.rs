//! Web3MQ Desktop.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    w3mq_desktop::run();
}
