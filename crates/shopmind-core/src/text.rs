//! Text to terms: the tokenizer behind description-based recommendation,
//! FAQ retrieval and intent features.
//!
//! - Latin and other alphabetic scripts: Unicode lower-casing, splitting on
//!   anything that is not a letter or digit, dropping English stop words, and
//!   Harman's S-stemmer ("How effective is suffixing?", JASIS 1991), a light
//!   stemmer that only folds plurals: `-ies → -y` (not after e or a),
//!   `-es → -e` (not after a, e or o), `-s → ∅` (not after u or s). It never
//!   conflates unrelated words, which heavier stemmers do on product titles.
//! - Chinese, Japanese and Korean have no spaces between words, so a run of
//!   CJK characters becomes its overlapping character bigrams (a lone
//!   character stays a unigram), the standard indexing unit for CJK
//!   retrieval (Kwok 1997; Lucene's CJKAnalyzer).

/// English stop words: function words that carry no product meaning.
pub const STOP_WORDS: [&str; 70] = [
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "but", "by", "can", "could", "do", "does", "each", "for", "from", "had", "has", "have", "he",
    "her", "his", "how", "i", "if", "in", "into", "is", "it", "its", "me", "more", "my", "no",
    "not", "of", "on", "or", "our", "she", "so", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "to", "too", "was", "we", "were", "what", "when", "which",
    "will", "with", "would", "you", "your",
];

/// Whether `c` is written without spaces between words (Han, kana, Hangul).
pub fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK Extension A
        | 0x4E00..=0x9FFF    // CJK Unified Ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0xF900..=0xFAFF    // CJK Compatibility Ideographs
        | 0x20000..=0x2A6DF) // CJK Extension B
}

/// Harman's S-stemmer on a lower-case word.
pub fn stem(word: &str) -> String {
    let n = word.len();
    let ends = |suffix: &str| word.ends_with(suffix);
    if n > 3 && ends("ies") && !ends("eies") && !ends("aies") {
        return format!("{}y", &word[..n - 3]);
    }
    if n > 3 && ends("es") && !ends("aes") && !ends("ees") && !ends("oes") {
        return word[..n - 1].to_owned();
    }
    if n > 2 && ends("s") && !ends("us") && !ends("ss") {
        return word[..n - 1].to_owned();
    }
    word.to_owned()
}

/// Options of [`tokenize`].
#[derive(Debug, Clone, Copy)]
pub struct TokenizerOptions {
    /// Drop [`STOP_WORDS`].
    pub stop_words: bool,
    /// Apply the S-stemmer.
    pub stem: bool,
}

impl Default for TokenizerOptions {
    fn default() -> Self {
        TokenizerOptions {
            stop_words: true,
            stem: true,
        }
    }
}

/// Splits `text` into terms (see the module docs).
pub fn tokenize(text: &str, opts: TokenizerOptions) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut cjk: Vec<char> = Vec::new();
    let flush_word = |word: &mut String, out: &mut Vec<String>| {
        if word.is_empty() {
            return;
        }
        if !(opts.stop_words && STOP_WORDS.binary_search(&word.as_str()).is_ok()) {
            out.push(if opts.stem { stem(word) } else { word.clone() });
        }
        word.clear();
    };
    let flush_cjk = |cjk: &mut Vec<char>, out: &mut Vec<String>| {
        match cjk.len() {
            0 => {}
            1 => out.push(cjk[0].to_string()),
            _ => out.extend(cjk.windows(2).map(|w| w.iter().collect::<String>())),
        }
        cjk.clear();
    };
    for c in text.chars() {
        if is_cjk(c) {
            flush_word(&mut word, &mut out);
            cjk.push(c);
        } else if c.is_alphanumeric() {
            flush_cjk(&mut cjk, &mut out);
            word.extend(c.to_lowercase());
        } else {
            flush_word(&mut word, &mut out);
            flush_cjk(&mut cjk, &mut out);
        }
    }
    flush_word(&mut word, &mut out);
    flush_cjk(&mut cjk, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn s_stemmer_follows_harman() {
        for (w, s) in [
            ("queries", "query"),
            ("shoes", "shoe"),
            ("boxes", "boxe"),
            ("bags", "bag"),
            ("glass", "glass"),
            ("status", "status"),
            ("trees", "tree"),
            ("toes", "toe"),
            ("gas", "ga"),
            ("is", "is"),
            ("series", "sery"),
            ("movies", "movy"),
        ] {
            assert_eq!(stem(w), s, "{w}");
        }
    }

    #[test]
    fn english_is_lowercased_split_stopped_and_stemmed() {
        let t = tokenize(
            "The Waterproof Hiking-Boots, for ALL seasons! 2 pairs.",
            TokenizerOptions::default(),
        );
        assert_eq!(t, ["waterproof", "hiking", "boot", "season", "2", "pair"]);
        let raw = tokenize(
            "The Boots",
            TokenizerOptions {
                stop_words: false,
                stem: false,
            },
        );
        assert_eq!(raw, ["the", "boots"]);
    }

    #[test]
    fn cjk_runs_become_bigrams_and_mix_with_latin() {
        assert_eq!(
            tokenize("防水登山鞋", TokenizerOptions::default()),
            ["防水", "水登", "登山", "山鞋"]
        );
        assert_eq!(
            tokenize("Nike跑鞋 红", TokenizerOptions::default()),
            ["nike", "跑鞋", "红"]
        );
        assert_eq!(
            tokenize("ランニングシューズ", TokenizerOptions::default()).len(),
            8
        );
        assert!(tokenize("  ,.;  ", TokenizerOptions::default()).is_empty());
    }
}
