//! Per-row work spread over every core natively, in order; one thread in the browser (the
//! reader worker has one).

/// Below this many items the threads cost more than they save.
const MIN_PARALLEL_ITEMS: usize = 2048;

/// `work` applied to every item, results in the items' order. Natively the items are cut into
/// one run per core, each on its own scoped thread; a thread that panics has its run
/// redone on this thread, so the result never depends on how the work was spread.
pub(crate) fn map<Item: Sync, Output: Send>(
    items: &[Item],
    work: impl Fn(&Item) -> Output + Sync,
) -> Vec<Output> {
    let (threads, min_items) = spread();
    if threads < 2 || items.len() < min_items {
        return items.iter().map(&work).collect();
    }
    let run_length = items.len().div_ceil(threads);
    let work = &work;
    std::thread::scope(|scope| {
        let runs: Vec<_> = items
            .chunks(run_length)
            .map(|run| {
                (
                    run,
                    scope.spawn(move || run.iter().map(work).collect::<Vec<_>>()),
                )
            })
            .collect();
        let mut outputs = Vec::with_capacity(items.len());
        for (run, handle) in runs {
            match handle.join() {
                Ok(run_outputs) => outputs.extend(run_outputs),
                Err(_) => outputs.extend(run.iter().map(work)),
            }
        }
        outputs
    })
}

/// [`map`] for owned items: each thread consumes (and frees) the items of its run, so what
/// `work` leaves of them is freed on every core too.
pub(crate) fn map_owned<Item: Send, Output: Send>(
    mut items: Vec<Item>,
    work: impl Fn(Item) -> Output + Sync,
) -> Vec<Output> {
    let (threads, min_items) = spread();
    if threads < 2 || items.len() < min_items {
        return items.into_iter().map(&work).collect();
    }
    let run_length = items.len().div_ceil(threads);
    let mut runs: Vec<Vec<Item>> = Vec::new();
    while items.len() > run_length {
        runs.push(items.split_off(items.len() - run_length));
    }
    runs.push(items);
    runs.reverse();
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .into_iter()
            .map(|run| scope.spawn(move || run.into_iter().map(work).collect::<Vec<_>>()))
            .collect();
        let mut outputs = Vec::new();
        for handle in handles {
            match handle.join() {
                Ok(run_outputs) => outputs.extend(run_outputs),
                // The items went with the thread: resume its panic here, as one thread would.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        outputs
    })
}

/// How many threads to use, and from how many items.
#[cfg(not(any(target_arch = "wasm32", test)))]
fn spread() -> (usize, usize) {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    (threads, MIN_PARALLEL_ITEMS)
}

#[cfg(all(target_arch = "wasm32", not(test)))]
fn spread() -> (usize, usize) {
    (1, MIN_PARALLEL_ITEMS)
}

#[cfg(test)]
thread_local! {
    /// Tests set how the work is spread: (threads, fewest items to spread, items per batch).
    static TEST_SPREAD: std::cell::Cell<(usize, usize, usize)> =
        const { std::cell::Cell::new((1, MIN_PARALLEL_ITEMS, 0)) };
}

#[cfg(test)]
fn spread() -> (usize, usize) {
    let (threads, min_items, _) = TEST_SPREAD.get();
    (threads, min_items)
}

/// Runs `work` with the items spread over `threads` threads from `min_items` items on, and
/// per-row passes cut into batches of `batch` (0: their own size), on this thread.
#[cfg(test)]
pub(crate) fn with_spread<Output>(
    threads: usize,
    min_items: usize,
    batch: usize,
    work: impl FnOnce() -> Output,
) -> Output {
    let before = TEST_SPREAD.replace((threads, min_items, batch));
    let output = work();
    TEST_SPREAD.set(before);
    output
}

/// `default`, or the batch size a test asked for.
pub(crate) fn batch_len(default: usize) -> usize {
    #[cfg(test)]
    {
        let (_, _, batch) = TEST_SPREAD.get();
        if batch > 0 {
            return batch;
        }
    }
    default
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order_of_the_items() {
        let items: Vec<usize> = (0..10_000).collect();
        let expected: Vec<usize> = items.iter().map(|item| item * 2).collect();
        assert_eq!(super::map(&items, |item| item * 2), expected);
        for threads in 1..6 {
            let doubled = super::with_spread(threads, 1, 0, || super::map(&items, |item| item * 2));
            assert_eq!(doubled, expected, "{threads} threads");
            let doubled = super::with_spread(threads, 1, 0, || {
                super::map_owned(items.clone(), |item| item * 2)
            });
            assert_eq!(doubled, expected, "{threads} threads, owned");
        }
        assert!(super::map(&[] as &[usize], |item| *item).is_empty());
        assert!(super::map_owned(Vec::<usize>::new(), |item| item).is_empty());
    }
}
