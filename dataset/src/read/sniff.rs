//! Guessing the format of a file from its content (JSONL, JSON array or CSV) and the CSV delimiter.

/// Delimiters tried, in order of preference when they fit equally well.
const DELIMITERS: [char; 4] = [',', ';', '\t', '|'];

/// Records looked at when guessing the delimiter.
const SNIFF_RECORDS: usize = 50;

/// What a file looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detected {
    Jsonl,
    JsonArray,
    Csv { delimiter: char },
}

/// Detects the format by content first and by file extension when the content does not tell.
pub(crate) fn detect(file_name: &str, text: &str) -> Detected {
    let extension = extension(file_name);
    match text.trim_start().chars().next() {
        Some('{') => Detected::Jsonl,
        Some('[') => Detected::JsonArray,
        _ if matches!(extension.as_deref(), Some("jsonl" | "json")) => Detected::Jsonl,
        _ => Detected::Csv {
            delimiter: sniff_delimiter(text, extension.as_deref()),
        },
    }
}

/// The lowercased extension of a file name, if it has one.
fn extension(file_name: &str) -> Option<String> {
    let (_, extension) = file_name.rsplit_once('.')?;
    Some(extension.to_lowercase())
}

/// Picks the delimiter that appears in the header and splits the most records into the same
/// number of fields as the header.
fn sniff_delimiter(text: &str, extension: Option<&str>) -> char {
    let fallback = if extension == Some("tsv") { '\t' } else { ',' };
    let mut best: Option<(usize, bool, char)> = None;
    for delimiter in DELIMITERS {
        let scan = scan(text, delimiter, SNIFF_RECORDS);
        let Some(&header_count) = scan.counts.first() else {
            continue;
        };
        if header_count == 0 {
            continue;
        }
        let consistent = scan
            .counts
            .iter()
            .filter(|&&count| count == header_count)
            .count();
        let preferred = delimiter == fallback;
        let better = match best {
            None => true,
            Some((best_consistent, best_preferred, _)) => {
                (consistent, preferred) > (best_consistent, best_preferred)
            }
        };
        if better {
            best = Some((consistent, preferred, delimiter));
        }
    }
    best.map_or(fallback, |(_, _, delimiter)| delimiter)
}

/// The 1-based line where a record starts whose quoted field is never closed, if any.
pub(crate) fn unclosed_quote_line(text: &str, delimiter: char) -> Option<usize> {
    scan(text, delimiter, usize::MAX).unclosed_from
}

/// Result of scanning CSV text the way the `csv` crate reads it.
#[derive(Debug, Default)]
struct Scan {
    /// Delimiters outside quotes in each non-blank record.
    counts: Vec<usize>,
    /// Start line of the record whose quoted field runs to the end of the text.
    unclosed_from: Option<usize>,
}

/// Counts delimiters outside quotes per record. A quote opens a quoted field only at the
/// start of a field, and `""` inside quotes is a literal quote, as in RFC 4180.
fn scan(text: &str, delimiter: char, max_records: usize) -> Scan {
    let mut scan = Scan::default();
    let mut line = 1;
    let mut record_line = 1;
    let mut in_quotes = false;
    let mut at_field_start = true;
    let mut count = 0;
    let mut has_content = false;
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        if character == '\n' {
            line += 1;
        }
        if in_quotes {
            if character == '"' {
                if characters.peek() == Some(&'"') {
                    characters.next();
                } else {
                    in_quotes = false;
                }
            }
            continue;
        }
        match character {
            '\n' => {
                if has_content {
                    scan.counts.push(count);
                    if scan.counts.len() >= max_records {
                        return scan;
                    }
                }
                count = 0;
                has_content = false;
                at_field_start = true;
                record_line = line;
            }
            '\r' => {}
            '"' if at_field_start => {
                in_quotes = true;
                at_field_start = false;
                has_content = true;
            }
            _ if character == delimiter => {
                count += 1;
                at_field_start = true;
                has_content = true;
            }
            _ => {
                at_field_start = false;
                has_content |= !character.is_whitespace();
            }
        }
    }
    if has_content {
        scan.counts.push(count);
    }
    if in_quotes {
        scan.unclosed_from = Some(record_line);
    }
    scan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delimiter_of(text: &str) -> char {
        match detect("data.csv", text) {
            Detected::Csv { delimiter } => delimiter,
            other => panic!("expected CSV, got {other:?}"),
        }
    }

    #[test]
    fn detects_json_by_content() {
        assert_eq!(detect("x.csv", "\n  {\"a\": 1}"), Detected::Jsonl);
        assert_eq!(detect("x.jsonl", "[{\"a\": 1}]"), Detected::JsonArray);
        assert_eq!(detect("x.jsonl", "oops\n{\"a\": 1}"), Detected::Jsonl);
    }

    #[test]
    fn sniffs_common_delimiters() {
        assert_eq!(delimiter_of("text,label\nhola; qué tal,pos\n"), ',');
        assert_eq!(
            delimiter_of("texto;etiqueta\nHola, mundo;pos\nAdiós;neg\n"),
            ';'
        );
        assert_eq!(delimiter_of("text\tlabel\na, b; c\tpos\n"), '\t');
        assert_eq!(delimiter_of("text|label\nuno|dos\n"), '|');
    }

    #[test]
    fn ignores_delimiters_inside_quotes() {
        let text = "text;label\n\"uno, dos, tres\";a\n\"cuatro,\ncinco\";b\n";
        assert_eq!(delimiter_of(text), ';');
    }

    #[test]
    fn single_column_falls_back_by_extension() {
        assert_eq!(
            detect("x.tsv", "text\nhola\n"),
            Detected::Csv { delimiter: '\t' }
        );
        assert_eq!(
            detect("x.txt", "text\nhola\n"),
            Detected::Csv { delimiter: ',' }
        );
    }

    #[test]
    fn finds_unclosed_quotes() {
        assert_eq!(unclosed_quote_line("a,b\n1,2\n\"x,3\n4,5\n", ','), Some(3));
        assert_eq!(unclosed_quote_line("a,b\n\"x\"\"y\n z\",3\n", ','), None);
        assert_eq!(unclosed_quote_line("a,b\n5\" screen,3\n", ','), None);
    }
}
