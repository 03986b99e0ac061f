//! Small helpers for writing finding messages: line lists, counts and short previews.

/// How many lines a list names before it says "and N more".
pub(crate) const LISTED_LINES: usize = 5;

/// How many characters a preview keeps.
const PREVIEW_CHARS: usize = 80;

/// `"2, 5 and 9"` / `"2, 5 y 9"`, naming at most [`LISTED_LINES`] lines and then
/// `"and 3 more"` / `"y 3 más"`.
#[cfg(test)]
pub(crate) fn line_list(lines: &[usize]) -> (String, String) {
    line_list_sampled(lines, lines.len())
}

/// [`line_list`] of a list of `total` lines of which `first` are the first ones (at least
/// [`LISTED_LINES`] of them, or all): what a pass that keeps only the first lines names.
pub(crate) fn line_list_sampled(first: &[usize], total: usize) -> (String, String) {
    let shown: Vec<String> = first
        .iter()
        .take(LISTED_LINES)
        .map(ToString::to_string)
        .collect();
    let hidden = total.saturating_sub(LISTED_LINES);
    if hidden > 0 {
        let listed = shown.join(", ");
        return (
            format!("{listed} and {hidden} more"),
            format!("{listed} y {hidden} más"),
        );
    }
    match shown.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            let listed = rest.join(", ");
            (format!("{listed} and {last}"), format!("{listed} y {last}"))
        }
        Some((last, _)) => (last.clone(), last.clone()),
        None => (String::new(), String::new()),
    }
}

/// `"line 4"` / `"lines 2, 5 and 9"`, and in Spanish `"línea 4"` / `"líneas 2, 5 y 9"`.
pub(crate) fn lines_phrase(lines: &[usize]) -> (String, String) {
    lines_phrase_sampled(lines, lines.len())
}

/// [`lines_phrase`] of a list of `total` lines of which `first` are the first ones (see
/// [`line_list_sampled`]).
pub(crate) fn lines_phrase_sampled(first: &[usize], total: usize) -> (String, String) {
    let (listed_en, listed_es) = line_list_sampled(first, total);
    if total == 1 {
        (format!("line {listed_en}"), format!("línea {listed_es}"))
    } else {
        (format!("lines {listed_en}"), format!("líneas {listed_es}"))
    }
}

/// `"1 row"` / `"3 rows"` with the English and Spanish words given in singular and plural.
pub(crate) fn count(number: usize, singular: &str, plural: &str) -> String {
    if number == 1 {
        format!("{number} {singular}")
    } else {
        format!("{number} {plural}")
    }
}

/// The text on one line, cut to [`PREVIEW_CHARS`] characters with `…`.
pub(crate) fn preview(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|character| {
            if character.is_control() {
                ' '
            } else {
                character
            }
        })
        .collect();
    let mut characters = flat.chars();
    let cut: String = characters.by_ref().take(PREVIEW_CHARS).collect();
    if characters.next().is_some() {
        format!("{cut}…")
    } else {
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_lists() {
        assert_eq!(line_list(&[]), (String::new(), String::new()));
        assert_eq!(line_list(&[4]), ("4".into(), "4".into()));
        assert_eq!(
            line_list(&[2, 5, 9]),
            ("2, 5 and 9".into(), "2, 5 y 9".into())
        );
        assert_eq!(
            line_list(&[1, 2, 3, 4, 5, 6, 7]),
            (
                "1, 2, 3, 4, 5 and 2 more".into(),
                "1, 2, 3, 4, 5 y 2 más".into()
            )
        );
    }

    #[test]
    fn sampled_lists_name_the_same_lines() {
        let lines: Vec<usize> = (1..=9).collect();
        for total in 0..lines.len() {
            let all = &lines[..total];
            let first = &all[..total.min(LISTED_LINES)];
            assert_eq!(lines_phrase_sampled(first, total), lines_phrase(all));
        }
    }

    #[test]
    fn lines_phrases() {
        assert_eq!(lines_phrase(&[3]), ("line 3".into(), "línea 3".into()));
        assert_eq!(
            lines_phrase(&[3, 4]),
            ("lines 3 and 4".into(), "líneas 3 y 4".into())
        );
    }

    #[test]
    fn counts_and_previews() {
        assert_eq!(count(1, "row", "rows"), "1 row");
        assert_eq!(count(0, "fila", "filas"), "0 filas");
        assert_eq!(preview("a\nb"), "a b");
        let long = "ñ".repeat(100);
        assert_eq!(preview(&long).chars().count(), PREVIEW_CHARS + 1);
    }
}
