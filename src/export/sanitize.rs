//! Neutralising untrusted strings.
//!
//! Principal names, user agents and file contents can carry terminal escape sequences
//! (which can rewrite a terminal's screen or title) and spreadsheet formulas (a CSV cell
//! starting with `=`, `+`, `-`, `@`, tab or carriage return is executed by Excel and
//! LibreOffice: "CSV injection").

/// Replaces control characters (C0 except tab, DEL, C1) with visible escapes such as `\x1b`.
pub fn for_terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' => out.push(' '),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Prefixes a text cell that a spreadsheet would evaluate with `'`, so it stays text.
pub fn for_csv(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// Escapes text for HTML and SVG (element text and quoted attribute values), after making
/// control characters visible as [`for_terminal`] does.
pub fn for_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in for_terminal(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_become_visible() {
        assert_eq!(for_terminal("a\x1b[31mred\x07"), "a\\x1b[31mred\\x07");
        assert_eq!(for_terminal("tab\there"), "tab here");
        assert_eq!(for_terminal("caf\u{e9} \u{9b}"), "caf\u{e9} \\x9b");
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            for_html("\"><svg onload=alert(1)>&\x1b[0m'"),
            "&quot;&gt;&lt;svg onload=alert(1)&gt;&amp;\\x1b[0m&#39;"
        );
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(for_csv("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(for_csv("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(for_csv("-1+1"), "'-1+1");
        assert_eq!(for_csv("alice"), "alice");
    }
}
