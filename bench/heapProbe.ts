// Calibration probe (run by hand): the heap a comparison's results hold, per result, after a full GC.
import { loadExperiment } from '../extension/lab/promptFile';
import { runExperiment } from '../extension/lab/experiment/runExperiment';
import { ModelStore } from '../extension/lab/models/modelStore';

async function main(): Promise<void> {
  const [file, cacheDir] = process.argv.slice(2);
  const store = new ModelStore(cacheDir, { attentions: false });
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  const before = process.memoryUsage().heapUsed;
  const report = await runExperiment(await loadExperiment(file), { store });
  gc();
  const after = process.memoryUsage().heapUsed;
  const one = JSON.stringify(report.results[0]);
  console.log(
    JSON.stringify({
      results: report.results.length,
      heapPerResultKb: (after - before) / report.results.length / 1024,
      jsonPerResultKb: one.length / 1024,
      rssMb: process.memoryUsage().rss / 2 ** 20,
    }),
  );
  const fields = Object.keys(report.results[0]) as (keyof (typeof report.results)[0])[];
  let last = after;
  for (const field of fields) {
    for (const r of report.results) (r as unknown as Record<string, unknown>)[field] = null;
    gc();
    const now = process.memoryUsage().heapUsed;
    console.log(field, ((last - now) / report.results.length / 1024).toFixed(2), 'kB per result');
    last = now;
  }
  void one;
  report.results.length = 0;
  gc();
  console.log(
    'left after dropping every result',
    ((process.memoryUsage().heapUsed - before) / 1024 / 1024).toFixed(1),
    'MB',
  );
  await store.dispose();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
