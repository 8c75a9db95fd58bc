// Summary statistics for latency samples. Percentiles use the nearest-rank
// definition (the same as bench/c/dgram_bench.c): p-th percentile = the smallest
// sample with at least p% of the samples at or below it.

export interface Summary {
  count: number;
  median: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of *sorted* samples, q in [0, 1]. */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const k = Math.min(n, Math.max(1, Math.ceil(q * n - 1e-9)));
  return sorted[k - 1];
}

export function sortNumbers(samples: ArrayLike<number>): Float64Array {
  const s = Float64Array.from(samples);
  s.sort();
  return s;
}

export function median(samples: ArrayLike<number>): number {
  return percentileSorted(sortNumbers(samples), 0.5);
}

export function p99(samples: ArrayLike<number>): number {
  return percentileSorted(sortNumbers(samples), 0.99);
}

export function mean(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i];
  return samples.length ? sum / samples.length : NaN;
}

/** Count, median, p99, mean, min and max of the samples (any unit). */
export function summarize(samples: ArrayLike<number>): Summary {
  const s = sortNumbers(samples);
  return {
    count: s.length,
    median: percentileSorted(s, 0.5),
    p99: percentileSorted(s, 0.99),
    mean: mean(s),
    min: s.length ? s[0] : NaN,
    max: s.length ? s[s.length - 1] : NaN,
  };
}

/** A growable buffer of samples without per-sample allocation. */
export class Samples {
  private buf: Float64Array;
  length = 0;
  constructor(capacity = 1 << 16) {
    this.buf = new Float64Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  values(): Float64Array {
    return this.buf.subarray(0, this.length);
  }
}
