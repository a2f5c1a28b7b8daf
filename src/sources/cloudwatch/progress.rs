//! A progress bar on stderr for long pulls. It draws only when stderr is a terminal, so
//! redirected output and CI logs stay clean.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Counts GetMetricData calls done against calls planned.
#[derive(Clone)]
pub struct Progress(ProgressBar);

impl Progress {
    pub fn new(enabled: bool) -> Self {
        let bar = if enabled {
            ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} CloudWatch {msg} [{bar:30}] {pos}/{len} calls ({elapsed})",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        Progress(bar)
    }

    pub fn message(&self, msg: String) {
        self.0.set_message(msg);
    }

    /// More calls are planned.
    pub fn plan(&self, calls: u64) {
        self.0.inc_length(calls);
    }

    pub fn call_done(&self) {
        self.0.inc(1);
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}
