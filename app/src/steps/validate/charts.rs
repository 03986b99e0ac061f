//! Two small SVG charts of a dataset: rows per label and the spread of text lengths.

use std::collections::BTreeMap;

use afina_dataset::Dataset;
use leptos::prelude::*;

use crate::i18n::Lang;
use crate::steps::validate::rows::state::row_cells;

/// Bars of the length histogram.
const LENGTH_BINS: usize = 12;
/// Width of the charts in SVG units.
const WIDTH: f64 = 360.0;

/// Bins of text lengths (characters): `(upper bound, rows)` with equal-width bins from 0 to the
/// longest text.
pub(crate) fn length_histogram(lengths: &[usize], bins: usize) -> Vec<(usize, usize)> {
    let longest = lengths.iter().copied().max().unwrap_or(0).max(1);
    let width = longest.div_ceil(bins.max(1)).max(1);
    let mut counts = vec![0_usize; longest.div_ceil(width)];
    for length in lengths {
        let bin = (length.saturating_sub(1) / width).min(counts.len().saturating_sub(1));
        if let Some(count) = counts.get_mut(bin) {
            *count += 1;
        }
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(index, count)| ((index + 1) * width, count))
        .collect()
}

/// Rows per label as horizontal bars, largest first.
fn label_chart(counts: &BTreeMap<String, usize>, lang: Lang) -> impl IntoView + use<> {
    let mut bars: Vec<(String, usize)> = counts
        .iter()
        .map(|(label, count)| (label.clone(), *count))
        .collect();
    bars.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    bars.truncate(20);
    let largest = bars.first().map_or(1, |(_, count)| (*count).max(1));
    let total: usize = counts.values().sum();
    let row_height = 22.0;
    let height = row_height * bars.len() as f64 + 4.0;
    let label_width = 120.0;
    let rows = bars
        .into_iter()
        .enumerate()
        .map(|(index, (label, count))| {
            let y = 2.0 + row_height * index as f64;
            let width = (WIDTH - label_width - 60.0) * count as f64 / largest as f64;
            let share = lang.percent(count as f32 / total.max(1) as f32);
            let shown: String = label.chars().take(16).collect();
            view! {
                <g data-testid="label-bar" data-label=label.clone() data-rows=count>
                    <title>{format!("{label}: {count} ({share})")}</title>
                    <text class="tick" x=(label_width - 6.0).to_string() y=(y + 15.0).to_string() text-anchor="end">{shown}</text>
                    <rect class="column" x=label_width.to_string() y=(y + 3.0).to_string() width=format!("{width:.1}") height="16"/>
                    <text class="tick" x=format!("{:.1}", label_width + width + 4.0) y=(y + 15.0).to_string()>{count.to_string()}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart" data-testid="label-chart">
            <figcaption>{lang.pick("Filas por etiqueta", "Rows per label")}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=lang.pick("Filas por etiqueta", "Rows per label")>
                {rows}
            </svg>
        </figure>
    }
}

/// The spread of text lengths in characters.
fn length_chart(lengths: &[usize], lang: Lang) -> impl IntoView + use<> {
    let bins = length_histogram(lengths, LENGTH_BINS);
    let tallest = bins
        .iter()
        .map(|(_, count)| *count)
        .max()
        .unwrap_or(1)
        .max(1);
    let height = 120.0;
    let bottom = 18.0;
    let bar_width = (WIDTH - 20.0) / bins.len().max(1) as f64;
    let longest = bins.last().map_or(0, |(upper, _)| *upper);
    let bars = bins
        .into_iter()
        .enumerate()
        .map(|(index, (upper, count))| {
            let bar_height = (height - bottom - 6.0) * count as f64 / tallest as f64;
            let x = 10.0 + bar_width * index as f64;
            let lower = upper.saturating_sub(upper / (index + 1)) + 1;
            view! {
                <rect class="column" data-testid="length-bin" data-rows=count x=format!("{x:.1}") y=format!("{:.1}", height - bottom - bar_height) width=format!("{:.1}", (bar_width - 2.0).max(1.0)) height=format!("{bar_height:.1}")>
                    <title>{format!("{lower}–{upper}: {count}")}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <figure class="chart" data-testid="length-chart">
            <figcaption>{lang.pick("Longitud del texto (caracteres)", "Text length (characters)")}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {height}") role="img" aria-label=lang.pick("Histograma de longitudes", "Histogram of lengths")>
                {bars}
                <text class="tick" x="10" y=(height - 4.0).to_string()>"0"</text>
                <text class="tick" x=(WIDTH - 10.0).to_string() y=(height - 4.0).to_string() text-anchor="end">{longest.to_string()}</text>
            </svg>
        </figure>
    }
}

/// The label and length charts of `dataset`.
#[component]
pub(crate) fn DataCharts(
    /// The dataset drawn.
    dataset: std::sync::Arc<Dataset>,
    /// Interface language.
    lang: Lang,
) -> impl IntoView {
    let counts = dataset.label_counts();
    let lengths: Vec<usize> = dataset
        .rows
        .iter()
        .map(|row| row_cells(row).0.chars().count())
        .collect();
    view! {
        <div class="curves data-charts">
            {(!counts.is_empty()).then(|| label_chart(&counts, lang))}
            {(!lengths.is_empty()).then(|| length_chart(&lengths, lang))}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_length_lands_in_one_bin() {
        let lengths = [1, 5, 10, 11, 60, 120];
        let bins = length_histogram(&lengths, 12);
        assert_eq!(
            bins.iter().map(|(_, count)| count).sum::<usize>(),
            lengths.len()
        );
        assert_eq!(bins.len(), 12);
        assert_eq!(bins[0], (10, 3));
        assert_eq!(bins.last(), Some(&(120, 1)));
    }

    #[test]
    fn short_texts_get_narrow_bins() {
        let bins = length_histogram(&[1, 2, 3], 12);
        assert_eq!(bins, vec![(1, 1), (2, 1), (3, 1)]);
        assert!(
            length_histogram(&[], 12)
                .iter()
                .all(|(_, count)| *count == 0)
        );
    }
}
