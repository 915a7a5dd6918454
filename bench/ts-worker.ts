import { Worker } from 'node:worker_threads';

/**
 * Starts a TypeScript module in a worker thread. tsx does not hook worker threads by itself,
 * so a tiny bootstrap registers it first, then imports the module.
 */
export function startTsWorker(module: URL, workerData: unknown) {
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); });`;
  return new Worker(boot, { eval: true, workerData });
}
