/**
 * One benchmark figure. Figures are ratios against a baseline measured in the same run on the same
 * machine (never absolute times compared with a number from elsewhere), plus the raw values behind them.
 */
export interface Figure {
  /** e.g. "planner_tick.generated_school.ratio_vs_read" */
  name: string;
  value: number;
  unit: 'ratio' | 'ms' | 'count' | 'MB' | 'per_s';
  /** What the ratio is measured against, in words. */
  baseline?: string;
  /** e.g. "<= 2" */
  goal?: string;
  pass?: boolean;
}

/** A benchmark module under bench/ exports `run` (and a short description). */
export interface BenchModule {
  description: string;
  run(): Promise<Figure[]>;
}
