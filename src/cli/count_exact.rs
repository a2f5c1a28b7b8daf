//! `count --exact` and `count --calibration FILE`: the local rows of `count`, replaced by
//! CountTokens answers or scaled by a calibration.

use super::args::CountArgs;
use super::count::CountRow;
use super::exact::{self, Session};
use crate::catalog::Model;
use crate::count_tokens::body;

/// Applies `--exact` / `--calibration` to the local rows (one per input, in order).
/// Returns the CountTokens session, if one was opened.
pub fn apply(
    args: &CountArgs,
    model: &Model,
    inputs: &[(String, String)],
    rows: &mut [CountRow],
    notes: &mut Vec<String>,
) -> anyhow::Result<Option<Session>> {
    if let Some(cal) = exact::load_calibration(args.exact.calibration.as_deref(), model, notes)? {
        let m = &cal.measurement;
        for r in rows.iter_mut() {
            r.tokens = m.scale(r.tokens);
            r.exact = false;
            r.error_band = Some(m.band());
            r.counted_by = exact::SOURCE_CALIBRATED;
        }
        return Ok(None);
    }
    let Some(mut session) = Session::from_args(&args.exact, model)? else {
        return Ok(None);
    };
    let bodies: Vec<_> = inputs.iter().map(|(_, t)| body::from_text(t)).collect();
    if let Some(answers) = session.count(&bodies)? {
        for ((r, a), (source, _)) in rows.iter_mut().zip(answers).zip(inputs) {
            let n = a.map_err(|reason| anyhow::anyhow!("{source}: {reason}"))?;
            r.tokens = n;
            r.exact = true;
            r.error_band = None;
            r.counted_by = exact::SOURCE_EXACT;
        }
    }
    notes.append(&mut session.notes);
    Ok(Some(session))
}
