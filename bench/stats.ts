/** Nearest-rank percentile of `values` (unsorted is fine); NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: values.length === 0 ? Number.NaN : Math.max(...values),
  };
}

/** Rounded to 0.1, as the JSON line reports. */
export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `work` over `items` with at most `limit` in flight, in order of start. */
export async function forEachLimit<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/** Logs warn/error to stderr (first few only) and counts them; debug/info are dropped. */
export class CountingLogger {
  warnings = 0;
  errors = 0;
  constructor(private readonly label: string, private readonly maxLines = 5) {}
  debug(): void {}
  info(): void {}
  warn(fields: object, message: string): void {
    this.warnings += 1;
    this.print('warn', fields, message);
  }
  error(fields: object, message: string): void {
    this.errors += 1;
    this.print('error', fields, message);
  }
  private print(level: string, fields: object, message: string): void {
    if (this.warnings + this.errors > this.maxLines) return;
    process.stderr.write(`[${this.label}] ${level}: ${message} ${safeJson(fields)}\n`);
  }
}

function safeJson(value: object): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (v instanceof Error ? v.message : v));
  } catch {
    return String(value);
  }
}
