//! Metric handles kept per thread. Looking a series up builds and hashes its label set
//! (and writes out any label that is not text) on every call; for series whose labels
//! repeat, each thread keeps the handles it made. A list, not a map: a thread holds a
//! handful, and comparing keys is cheaper than hashing them. Past its bound a list stops
//! growing and the rest are looked up each time, so labels that never repeat cost time,
//! not memory. Every service installs its recorder at start, before anything is counted:
//! a handle made before that would stay a no-op.

use std::cell::RefCell;

/// For a `thread_local!`: `static C: Kept<Key, Counter> = const { Kept::new(256) };`.
pub struct Kept<K, H> {
    entries: RefCell<Vec<(K, H)>>,
    bound: usize,
}

impl<K, H> Kept<K, H> {
    pub const fn new(bound: usize) -> Self {
        Self {
            entries: RefCell::new(Vec::new()),
            bound,
        }
    }

    /// Hands `use_it` the handle kept under the first key `is` accepts, else the one `make`
    /// makes (then kept, while under the bound).
    pub fn with(
        &self,
        is: impl Fn(&K) -> bool,
        make: impl FnOnce() -> (K, H),
        use_it: impl FnOnce(&H),
    ) {
        let mut entries = self.entries.borrow_mut();
        if let Some((_, handle)) = entries.iter().find(|(key, _)| is(key)) {
            return use_it(handle);
        }
        let (key, handle) = make();
        use_it(&handle);
        if entries.len() < self.bound {
            entries.push((key, handle));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::Kept;

    #[test]
    fn a_handle_is_made_once_per_key_and_past_the_bound_each_time() {
        let kept = Kept::new(2);
        let made = Cell::new(0);
        let get = |key: u32| {
            let mut seen = None;
            kept.with(
                |k| *k == key,
                || {
                    made.set(made.get() + 1);
                    (key, key * 10)
                },
                |h| seen = Some(*h),
            );
            seen
        };
        assert_eq!(get(1), Some(10));
        assert_eq!(get(1), Some(10));
        assert_eq!(get(2), Some(20));
        assert_eq!(made.get(), 2, "kept, not made again");
        assert_eq!(get(3), Some(30));
        assert_eq!(get(3), Some(30));
        assert_eq!(made.get(), 4, "past the bound, made each time");
    }
}
