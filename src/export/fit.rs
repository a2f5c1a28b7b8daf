//! Fitting a table to a terminal's width: which columns stay, how wide each may be.
//!
//! A drawn table is `│ a │ b │`: each column costs its width plus three characters, plus
//! one for the left border. When the natural widths do not fit, columns are left out in
//! the document's [`drop_order`](super::Document::drop_order) (least useful first; a column
//! not named there is never left out), then the widest text columns are narrowed (to no less
//! than [`MIN_TEXT_WIDTH`]) and their cells wrapped. Numbers are never wrapped (a number
//! column's header may be). A table that
//! still does not fit is drawn as narrow as it can be (the terminal wraps it).

/// Text columns are not narrowed below this many characters (or their natural width).
pub const MIN_TEXT_WIDTH: usize = 12;

/// Which columns to draw and how wide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Indices of the columns drawn, in table order.
    pub keep: Vec<usize>,
    /// The width of each kept column (cells longer than it are wrapped).
    pub widths: Vec<usize>,
    /// Headers of the columns left out, in the order they were dropped.
    pub dropped: Vec<String>,
}

/// Characters a table with these column widths takes.
pub fn drawn_width(widths: &[usize]) -> usize {
    widths.iter().map(|w| w + 3).sum::<usize>() + 1
}

/// Lays out `headers` over `cells` (rendered text, row by row) for `width` characters;
/// `numeric[i]` marks number columns (never wrapped).
pub fn layout(
    headers: &[String],
    cells: &[Vec<String>],
    numeric: &[bool],
    drop_order: &[String],
    width: usize,
) -> Layout {
    let widest_cell = |i: usize| {
        cells
            .iter()
            .filter_map(|r| r.get(i))
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0)
    };
    let natural: Vec<usize> = (0..headers.len())
        .map(|i| widest_cell(i).max(headers[i].chars().count()))
        .collect();
    let mut keep: Vec<usize> = (0..headers.len()).collect();
    let mut dropped = Vec::new();
    let fits = |keep: &[usize], widths: &dyn Fn(usize) -> usize| {
        drawn_width(&keep.iter().map(|&i| widths(i)).collect::<Vec<_>>()) <= width
    };
    for name in drop_order {
        if fits(&keep, &|i| natural[i]) || keep.len() <= 1 {
            break;
        }
        if let Some(pos) = keep.iter().position(|&i| &headers[i] == name) {
            dropped.push(headers[keep[pos]].clone());
            keep.remove(pos);
        }
    }
    let mut widths: Vec<usize> = keep.iter().map(|&i| natural[i]).collect();
    let floor = |k: usize| {
        let i = keep[k];
        if numeric.get(i).copied().unwrap_or(false) {
            // Numbers are never wrapped; their header may be.
            widest_cell(i).max(6).min(natural[i])
        } else {
            natural[i].min(MIN_TEXT_WIDTH)
        }
    };
    // First wrap the headers of number columns (one line more, once), then text cells.
    for numbers in [true, false] {
        while drawn_width(&widths) > width {
            // Narrow the widest column that can still give a character.
            let widest = (0..widths.len())
                .filter(|&k| numeric.get(keep[k]).copied().unwrap_or(false) == numbers)
                .filter(|&k| widths[k] > floor(k))
                .max_by_key(|&k| (widths[k], std::cmp::Reverse(k)));
            match widest {
                Some(k) => widths[k] -= 1,
                None => break,
            }
        }
    }
    Layout {
        keep,
        widths,
        dropped,
    }
}

/// Wraps `s` into lines of at most `width` characters: after a space, `_`, `-`, `.`, `:` or
/// `/` where it can (model IDs and ARNs break at their separators), else inside a word.
pub fn wrap(s: &str, width: usize) -> String {
    let width = width.max(1);
    if s.chars().count() <= width {
        return s.to_string();
    }
    // Pieces that each end at a break opportunity.
    let mut pieces: Vec<Vec<char>> = vec![Vec::new()];
    for c in s.chars() {
        pieces.last_mut().unwrap().push(c);
        if matches!(c, ' ' | '_' | '-' | '.' | ':' | '/') {
            pieces.push(Vec::new());
        }
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line: Vec<char> = Vec::new();
    for mut piece in pieces {
        // A space at the end of a line is not drawn, so it does not count.
        let visible = |p: &[char]| p.len() - usize::from(p.last() == Some(&' '));
        if line.len() + visible(&piece) <= width {
            line.append(&mut piece);
            continue;
        }
        if !line.is_empty() {
            lines.push(line.iter().collect::<String>().trim_end().to_string());
            line.clear();
        }
        while visible(&piece) > width {
            lines.push(piece.drain(..width).collect());
        }
        line = piece;
    }
    let last: String = line.iter().collect::<String>().trim_end().to_string();
    if !last.is_empty() || lines.is_empty() {
        lines.push(last);
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn drops_in_order_until_it_fits() {
        let headers = s(&["id", "name", "regions", "status"]);
        let cells = vec![s(&[
            "a.b-v1",
            "A model",
            "us-east-1 us-west-2 eu-west-1",
            "ok",
        ])];
        let numeric = [false; 4];
        let all = layout(&headers, &cells, &numeric, &s(&["regions", "status"]), 200);
        assert_eq!(all.keep, vec![0, 1, 2, 3]);
        assert_eq!(drawn_width(&all.widths), 6 + 7 + 29 + 6 + 13);
        let narrow = layout(&headers, &cells, &numeric, &s(&["regions", "status"]), 30);
        assert_eq!(narrow.keep, vec![0, 1, 3]);
        assert_eq!(narrow.dropped, s(&["regions"]));
        assert!(drawn_width(&narrow.widths) <= 30);
    }

    #[test]
    fn narrows_text_not_numbers() {
        let headers = s(&["note", "cost"]);
        let cells = vec![s(&["a long note that goes on and on and on", "$123456.78"])];
        let l = layout(&headers, &cells, &[false, true], &[], 30);
        assert_eq!(l.widths[1], 10);
        assert!(drawn_width(&l.widths) <= 30);
        assert_eq!(wrap("a long note that goes", 8), "a long\nnote\nthat\ngoes");
        assert_eq!(wrap("abcdefghij", 4), "abcd\nefgh\nij");
        assert_eq!(
            wrap("anthropic.claude-3-haiku-20240307-v1:0", 20),
            "anthropic.claude-3-\nhaiku-20240307-v1:0"
        );
        assert_eq!(wrap("input_per_1m_usd", 8), "input_\nper_1m_\nusd");
    }

    proptest! {
        #[test]
        fn wrapped_lines_are_never_wider_and_lose_no_characters(text in "[a-z _.:/-]{0,80}", w in 1usize..30) {
            let out = wrap(&text, w);
            for line in out.lines() {
                prop_assert!(line.chars().count() <= w);
            }
            let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            prop_assert_eq!(squash(&out), squash(&text));
        }

        #[test]
        fn layouts_fit_when_they_can(widths in proptest::collection::vec(1usize..40, 1..12), term in 20usize..200) {
            let headers: Vec<String> = (0..widths.len()).map(|i| format!("c{i}")).collect();
            let cells = vec![widths.iter().map(|w| "x".repeat(*w)).collect::<Vec<_>>()];
            let l = layout(&headers, &cells, &vec![false; widths.len()], &headers, term);
            let floor: Vec<usize> = l
                .keep
                .iter()
                .map(|&i| widths[i].max(headers[i].len()).min(MIN_TEXT_WIDTH))
                .collect();
            prop_assert!(drawn_width(&l.widths) <= term || l.keep.len() == 1 || l.widths == floor);
            prop_assert_eq!(l.keep.len() + l.dropped.len(), widths.len());
        }
    }
}
