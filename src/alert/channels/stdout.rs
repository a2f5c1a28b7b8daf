//! The stdout channel: one line per alert, `ALERT: <text>`, for cron mail, container logs
//! and CI steps. The text is already sanitised for terminals (see [`super::super::message`]).

use std::io::Write;

use crate::alert::message::Message;

pub fn print(msg: &Message) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "ALERT: {}", msg.text)
        .and_then(|_| out.flush())
        .map_err(|e| format!("cannot write to stdout: {e}"))
}
