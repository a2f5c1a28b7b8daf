//! Reproducible random samples: a seeded splitmix64 generator and reservoir sampling.
//!
//! `estimate --calibrate N` and `tokenizer calibrate --sample N` count N records with
//! CountTokens. Which N must not depend on the machine, the thread count or the run: the
//! same file and `--seed` pick the same records, so a calibration can be repeated and
//! checked. Reservoir sampling (Vitter's algorithm R) picks N of a stream of unknown length
//! in one pass, each record with the same chance, keeping only N in memory.

/// splitmix64 (Steele, Lea, Flood 2014): a tiny, well-mixed 64-bit generator; good enough
/// to pick records, and the same on every platform.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n ≥ 1), by multiply-and-shift (bias below 2⁻³² for any n
    /// a file can have).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n.max(1))) >> 64) as u64
    }
}

/// Keeps a uniform random sample of at most `size` items of a stream.
#[derive(Debug)]
pub struct Reservoir<T> {
    size: usize,
    seen: u64,
    rng: SplitMix64,
    /// (position in the stream, item).
    items: Vec<(u64, T)>,
}

impl<T> Reservoir<T> {
    pub fn new(size: usize, seed: u64) -> Reservoir<T> {
        Reservoir {
            size,
            seen: 0,
            rng: SplitMix64::new(seed),
            items: Vec::with_capacity(size.min(1 << 16)),
        }
    }

    /// Offers the next item of the stream.
    pub fn offer(&mut self, item: T) {
        self.offer_lazy(|| item);
    }

    /// Offers the next item, built only if it is kept (no copy of every line of a file).
    pub fn offer_lazy(&mut self, make: impl FnOnce() -> T) {
        let position = self.seen;
        self.seen += 1;
        if self.items.len() < self.size {
            self.items.push((position, make()));
        } else if self.size > 0 {
            let j = self.rng.below(self.seen) as usize;
            if j < self.size {
                self.items[j] = (position, make());
            }
        }
    }

    /// Items offered so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// The sample, in stream order.
    pub fn into_sorted(mut self) -> Vec<(u64, T)> {
        self.items.sort_by_key(|(p, _)| *p);
        self.items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // First outputs for seed 1234567 of the reference C implementation (Vigna).
        let mut r = SplitMix64::new(1234567);
        assert_eq!(r.next_u64(), 6457827717110365317);
        assert_eq!(r.next_u64(), 3203168211198807973);
        assert_eq!(r.next_u64(), 9817491932198370423);
    }

    #[test]
    fn the_same_seed_picks_the_same_records() {
        let pick = |seed| {
            let mut r = Reservoir::new(10, seed);
            (0..1000u64).for_each(|i| r.offer(i));
            r.into_sorted()
        };
        assert_eq!(pick(7), pick(7));
        assert_ne!(pick(7), pick(8));
        let s = pick(7);
        assert_eq!(s.len(), 10);
        assert!(s.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(s.iter().all(|(p, v)| p == v));
    }

    #[test]
    fn a_short_stream_is_kept_whole() {
        let mut r = Reservoir::new(10, 1);
        (0..4u64).for_each(|i| r.offer(i));
        assert_eq!(r.seen(), 4);
        assert_eq!(
            r.into_sorted().into_iter().map(|x| x.1).collect::<Vec<_>>(),
            vec![0, 1, 2, 3]
        );
    }

    #[test]
    fn every_position_is_about_equally_likely() {
        let mut hits = [0u32; 20];
        for seed in 0..2000 {
            let mut r = Reservoir::new(5, seed);
            (0..20usize).for_each(|i| r.offer(i));
            for (_, i) in r.into_sorted() {
                hits[i] += 1;
            }
        }
        // Expected 2000 × 5/20 = 500 each.
        assert!(hits.iter().all(|&h| (400..600).contains(&h)), "{hits:?}");
    }
}
