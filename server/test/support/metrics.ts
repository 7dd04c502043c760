// Reading Prometheus exposition text in tests.

/** The sum of the samples of `name` whose labels include `labels` (0 when there is none). */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

/** Whether the text declares the metric (a `# TYPE` line). */
export const declares = (text: string, name: string) => new RegExp(`^# TYPE ${name} `, 'm').test(text);
