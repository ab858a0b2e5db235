//! Category paths (`Home > Kitchen > Knives`): the one reading of them that
//! recommendation rules, popularity by category, content features and the
//! serving masks share. Levels are trimmed and lower-cased, empty levels
//! dropped, so `" Home>>kitchen "` and `"home > Kitchen"` are one path.

/// The levels of a category path, top first, normalised.
pub fn category_levels(path: &str) -> impl Iterator<Item = String> + '_ {
    path.split('>')
        .map(|p| p.trim().to_lowercase())
        .filter(|p| !p.is_empty())
}

/// The normalised path: its levels joined by `" > "` (empty when it has
/// none). A path `p` lies within `q` when `p == q` or `p` starts with
/// `q + " > "`.
pub fn normalize_category(path: &str) -> String {
    category_levels(path).collect::<Vec<_>>().join(" > ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_case_and_empty_levels_do_not_make_a_new_path() {
        assert_eq!(normalize_category(" Home>>kitchen "), "home > kitchen");
        assert_eq!(normalize_category("home > Kitchen"), "home > kitchen");
        assert_eq!(normalize_category(" > "), "");
        assert_eq!(category_levels("A > B").collect::<Vec<_>>(), ["a", "b"]);
    }
}
