/**
 * One benchmark figure. Figures are ratios against a baseline measured in the same run on the same
 * machine (never absolute times compared with a number from elsewhere), plus the raw values behind them.
 */
export interface Figure {
  /** e.g. "planner_tick.generated_school.ratio_vs_read" */
  name: string;
  value: number;
  unit: 'ratio' | 'ms' | 's' | 'count' | 'MB' | 'per_s';
  /** What the ratio is measured against, in words. */
  baseline?: string;
  /**
   * The physical floor of the same work, measured in the same run, in the figure's unit (issue 18): a
   * program in bench/floors/ doing the same work with the same libraries and nothing else. The table
   * prints it beside the value with the value's multiple of it (`x floor`).
   */
  floor?: number;
  /** e.g. "<= 2" */
  goal?: string;
  pass?: boolean;
}

/** A benchmark module under bench/ exports `run` (and a short description). */
export interface BenchModule {
  description: string;
  run(): Promise<Figure[]>;
}
