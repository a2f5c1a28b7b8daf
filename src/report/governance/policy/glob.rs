//! The patterns of a policy file: `*` matches any run of characters (`/` and `:`
//! included, and none at all); every other character matches itself.

/// Whether `text` matches `pattern`. `fold_case` compares ASCII letters without case.
pub fn matches(pattern: &str, text: &str, fold_case: bool) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let eq = |a: char, b: char| {
        if fold_case {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    // Greedy match with backtracking to the last `*`: linear in practice, O(|p|·|t|) worst.
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && eq(p[pi], t[ti]) {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn stars_match_any_run() {
        let role = "arn:aws:sts::*:assumed-role/app-*/*";
        assert!(matches(
            role,
            "arn:aws:sts::111122223333:assumed-role/app-chat/i-0abc",
            false
        ));
        assert!(!matches(
            role,
            "arn:aws:sts::111122223333:assumed-role/admin/i-0abc",
            false
        ));
        assert!(matches(
            "anthropic.claude-*",
            "anthropic.claude-3-haiku-20240307-v1:0",
            false
        ));
        assert!(!matches(
            "anthropic.claude-*",
            "amazon.nova-lite-v1:0",
            false
        ));
        assert!(matches("*", "", false));
        assert!(matches("a*b*c", "a-x-b-y-c", false));
        assert!(!matches("a*b*c", "a-x-b-y", false));
        assert!(matches("US-EAST-*", "us-east-1", true));
        assert!(!matches("US-EAST-*", "us-east-1", false));
        assert!(!matches("abc", "abcd", false));
    }

    proptest! {
        #[test]
        fn a_text_matches_itself_and_a_star_around_it(s in "[a-z0-9:/.*-]{0,20}", pre in "[a-z]{0,3}", post in "[a-z]{0,3}") {
            let plain: String = s.chars().filter(|&c| c != '*').collect();
            prop_assert!(matches(&plain, &plain, false));
            let around = format!("{pre}{plain}{post}");
            let pattern = format!("*{plain}*");
            prop_assert!(matches(&pattern, &around, false));
        }
    }
}
