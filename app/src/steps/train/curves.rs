//! Live training curves: loss and accuracy per epoch for the training and validation rows, as
//! SVG, with a mark on the epoch early stopping kept.

use afina_trainer::EpochReport;
use leptos::prelude::*;

use crate::i18n::Lang;

/// Width and height of one chart in SVG units.
const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 160.0;
/// Room for the axis labels.
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 22.0;
const TOP: f64 = 10.0;
const RIGHT: f64 = 10.0;

/// One line of a chart.
struct Series {
    values: Vec<f64>,
    class: &'static str,
    /// The line's name in the interface language (for screen readers).
    name: &'static str,
}

/// The epoch with the lowest calibrated validation loss so far (what early stopping keeps).
pub(crate) fn best_so_far(history: &[EpochReport]) -> Option<usize> {
    history
        .iter()
        .min_by(|a, b| {
            a.calibrated_validation_loss
                .total_cmp(&b.calibrated_validation_loss)
        })
        .map(|report| report.epoch)
}

/// The x position of epoch `epoch` (1-based) of `epochs`.
fn x_of(epoch: usize, epochs: usize) -> f64 {
    let span = WIDTH - LEFT - RIGHT;
    if epochs <= 1 {
        return LEFT + span / 2.0;
    }
    LEFT + span * (epoch - 1) as f64 / (epochs - 1) as f64
}

/// One chart: the lines, the y range's labels, the epoch axis and the best-epoch mark.
fn chart(
    title: String,
    series: Vec<Series>,
    (low, high): (f64, f64),
    format: fn(f64) -> String,
    best: Option<(usize, bool)>,
    epochs: usize,
    testid: &'static str,
) -> impl IntoView {
    // What the chart shows, for screen readers: each line's first and last value.
    let summary = series
        .iter()
        .filter_map(|line| {
            let (first, last) = (line.values.first()?, line.values.last()?);
            Some(format!(
                "{}: {} → {}",
                line.name,
                format(*first),
                format(*last)
            ))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let label = format!("{title}: {summary}");
    let span = (high - low).max(1e-9);
    let y_of = |value: f64| TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - (value - low) / span);
    let lines = series
        .into_iter()
        .map(|line| {
            let points = line
                .values
                .iter()
                .enumerate()
                .map(|(index, value)| format!("{:.1},{:.1}", x_of(index + 1, epochs), y_of(*value)))
                .collect::<Vec<_>>()
                .join(" ");
            let dots = line
                .values
                .iter()
                .enumerate()
                .map(|(index, value)| {
                    view! { <circle class=line.class cx=format!("{:.1}", x_of(index + 1, epochs)) cy=format!("{:.1}", y_of(*value)) r="2.5"/> }
                })
                .collect_view();
            view! {
                <polyline class=line.class points=points fill="none"/>
                {dots}
            }
        })
        .collect_view();
    let mark = best.map(|(epoch, final_choice)| {
        let x = format!("{:.1}", x_of(epoch, epochs));
        view! {
            <line
                class="best"
                class:provisional=!final_choice
                data-testid="best-epoch-mark"
                data-epoch=epoch
                x1=x.clone()
                x2=x
                y1=TOP.to_string()
                y2=(HEIGHT - BOTTOM).to_string()
            />
        }
    });
    let baseline = HEIGHT - BOTTOM;
    view! {
        <figure class="chart" data-testid=testid data-points=epochs>
            <figcaption>{title}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=label>
                <line class="axis" x1=LEFT.to_string() x2=(WIDTH - RIGHT).to_string() y1=baseline.to_string() y2=baseline.to_string()/>
                <line class="axis" x1=LEFT.to_string() x2=LEFT.to_string() y1=TOP.to_string() y2=baseline.to_string()/>
                <text class="tick" x=(LEFT - 4.0).to_string() y=(TOP + 4.0).to_string() text-anchor="end">{format(high)}</text>
                <text class="tick" x=(LEFT - 4.0).to_string() y=baseline.to_string() text-anchor="end">{format(low)}</text>
                <text class="tick" x=LEFT.to_string() y=(HEIGHT - 6.0).to_string()>"1"</text>
                <text class="tick" x=(WIDTH - RIGHT).to_string() y=(HEIGHT - 6.0).to_string() text-anchor="end">{epochs.to_string()}</text>
                {mark}
                {lines}
            </svg>
        </figure>
    }
}

/// Loss and accuracy curves of a run so far; `best` is the kept epoch once the run ended.
#[component]
pub(crate) fn Curves(
    /// One report per finished epoch.
    history: Vec<EpochReport>,
    /// The epoch early stopping kept, once the run has ended.
    best: Option<usize>,
    /// Interface language.
    lang: Lang,
) -> impl IntoView {
    let epochs = history.len();
    let mark = best
        .map(|epoch| (epoch, true))
        .or_else(|| best_so_far(&history).map(|epoch| (epoch, false)));
    let train_loss: Vec<f64> = history.iter().map(|r| f64::from(r.train_loss)).collect();
    let validation_loss: Vec<f64> = history
        .iter()
        .map(|r| f64::from(r.validation_loss))
        .collect();
    let high_loss = train_loss
        .iter()
        .chain(&validation_loss)
        .copied()
        .filter(|value| value.is_finite())
        .fold(0.0_f64, f64::max)
        .max(0.1);
    let loss = chart(
        lang.pick("Pérdida (más baja es mejor)", "Loss (lower is better)")
            .to_string(),
        vec![
            Series {
                values: train_loss,
                class: "train",
                name: lang.pick("entrenamiento", "training"),
            },
            Series {
                values: validation_loss,
                class: "validation",
                name: lang.pick("validación", "validation"),
            },
        ],
        (0.0, high_loss),
        |value| format!("{value:.2}"),
        mark,
        epochs,
        "loss-chart",
    );
    let accuracy = chart(
        lang.pick("Exactitud", "Accuracy").to_string(),
        vec![
            Series {
                values: history
                    .iter()
                    .map(|r| f64::from(r.train_accuracy))
                    .collect(),
                class: "train",
                name: lang.pick("entrenamiento", "training"),
            },
            Series {
                values: history
                    .iter()
                    .map(|r| f64::from(r.validation_accuracy))
                    .collect(),
                class: "validation",
                name: lang.pick("validación", "validation"),
            },
        ],
        (0.0, 1.0),
        |value| format!("{:.0} %", value * 100.0),
        mark,
        epochs,
        "accuracy-chart",
    );
    let legend_mark = match mark {
        Some((epoch, true)) => format!(
            "{} {epoch}",
            lang.pick(
                "│ época que se quedó (la de menor pérdida de validación):",
                "│ epoch kept (the lowest validation loss):"
            )
        ),
        Some((epoch, false)) => format!(
            "{} {epoch}",
            lang.pick("┆ mejor época hasta ahora:", "┆ best epoch so far:")
        ),
        None => String::new(),
    };
    view! {
        <div class="curves" data-testid="curves">
            {loss}
            {accuracy}
            <p class="legend">
                <span class="swatch train"></span>{lang.pick(" entrenamiento ", " training ")}
                <span class="swatch validation"></span>{lang.pick(" validación ", " validation ")}
                <span data-testid="best-epoch-legend">{legend_mark}</span>
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(epoch: usize, calibrated: f32) -> EpochReport {
        EpochReport {
            epoch,
            train_loss: 1.0,
            train_accuracy: 0.5,
            validation_loss: calibrated,
            calibrated_validation_loss: calibrated,
            validation_accuracy: 0.5,
        }
    }

    #[test]
    fn the_best_epoch_has_the_lowest_calibrated_loss() {
        let history = vec![report(1, 0.9), report(2, 0.4), report(3, 0.6)];
        assert_eq!(best_so_far(&history), Some(2));
        assert_eq!(best_so_far(&[]), None);
    }

    #[test]
    fn epochs_spread_across_the_width() {
        assert_eq!(x_of(1, 5), LEFT);
        assert_eq!(x_of(5, 5), WIDTH - RIGHT);
        assert_eq!(x_of(1, 1), LEFT + (WIDTH - LEFT - RIGHT) / 2.0);
    }
}
