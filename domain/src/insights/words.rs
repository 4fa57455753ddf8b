//! The customers' words worth counting: what one answer says once
//! (lowercase, four characters or more, no stopwords in English or German,
//! no bare numbers), and the words found in the most answers.

use super::{ranked_tallies, Tally, TOP};
use std::collections::{BTreeMap, BTreeSet};

/// Words too common to say anything about a gap, in English and German,
/// sorted (a test checks) so a binary search finds them. Words shorter than
/// four characters are dropped anyway and are not listed.
#[rustfmt::skip]
const STOPWORDS: &[&str] = &[
    "aber", "about", "above", "after", "again", "against", "alle", "allem", "allen", "aller",
    "alles", "also", "among", "anything", "aren", "auch", "back", "because", "been", "before",
    "beim", "being", "below", "bereits", "bist", "both", "came", "cant", "come", "could", "dabei",
    "damit", "dann", "darauf", "darum", "dass", "davon", "dazu", "dein", "deine", "deinem",
    "deinen", "deiner", "denn", "derselbe", "dessen", "didn", "dies", "diese", "diesem", "diesen",
    "dieser", "dieses", "doch", "does", "doesn", "dont", "dort", "durch", "during", "each",
    "eine", "einem", "einen", "einer", "eines", "einfach", "etwas", "euch", "euer", "eure",
    "even", "ever", "every", "everything", "from", "further", "ganz", "gegen", "gewesen", "gibt",
    "going", "habe", "haben", "hatte", "hatten", "have", "here", "hers", "herself", "hier",
    "himself", "hinter", "hätte", "ihnen", "ihre", "ihrem", "ihren", "ihrer", "immer", "into",
    "isnt", "itself", "jede", "jedem", "jeden", "jeder", "jetzt", "just", "kann", "kein", "keine",
    "keinem", "keinen", "keiner", "know", "können", "könnte", "like", "mache", "machen", "macht",
    "made", "make", "many", "mehr", "mein", "meine", "meinem", "meinen", "meiner", "mich",
    "might", "more", "most", "much", "must", "nach", "need", "nicht", "nichts", "noch", "nothing",
    "obwohl", "oder", "ohne", "once", "only", "onto", "other", "ours", "ourselves", "over",
    "really", "said", "same", "says", "schon", "sehr", "sein", "seine", "seinem", "seinen",
    "seiner", "selbst", "shall", "should", "sich", "sind", "soll", "sollte", "some", "something",
    "sondern", "sowie", "still", "such", "than", "that", "thats", "their", "theirs", "them",
    "themselves", "then", "there", "these", "they", "think", "this", "those", "through", "under",
    "unser", "unsere", "unter", "until", "upon", "very", "viel", "vielleicht", "want", "waren",
    "warum", "wasn", "weil", "welche", "welcher", "welches", "well", "wenn", "werde", "werden",
    "were", "what", "when", "where", "which", "while", "whom", "whose", "wieder", "will", "wird",
    "with", "wollen", "wollte", "worden", "would", "wurde", "wurden", "wäre", "würde", "würden",
    "your", "youre", "yours", "zwischen", "über",
];

/// The words of one answer worth counting: lowercase, split on anything
/// that is not a letter or digit (any script), at least four characters,
/// not a stopword and not a bare number. A set: a word counts once per
/// answer, so one long rant cannot outweigh many short answers.
fn words_of(gaps: &str) -> BTreeSet<String> {
    gaps.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
        .filter(|w| STOPWORDS.binary_search(w).is_err())
        .map(str::to_owned)
        .collect()
}

/// The 15 words found in the most answers.
pub(super) fn frequent_words<'a>(gaps: impl Iterator<Item = &'a str>) -> Vec<Tally> {
    let per_answer: Vec<BTreeSet<String>> = gaps.map(words_of).collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for word in per_answer.iter().flatten() {
        *counts.entry(word.as_str()).or_default() += 1;
    }
    ranked_tallies(counts, TOP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopwords_are_sorted_lowercase_and_long_enough_to_matter() {
        assert!(
            STOPWORDS.windows(2).all(|w| w[0] < w[1]),
            "binary search needs order"
        );
        for w in STOPWORDS {
            assert_eq!(w.to_lowercase(), *w);
            assert!(w.chars().count() >= 4, "{w} would be dropped anyway");
        }
        assert!(words_of("Because there wasn't anything").is_empty());
    }
}
