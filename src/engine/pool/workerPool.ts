// A pool of engine worker threads. Each has its own WASM backend, on one or more XNNPACK threads
// (poolShape.ts: workers × threads follow the cores). Jobs queue until a worker is free; a cancelled job
// is dropped from the queue or its worker is stopped; a worker that crashes is replaced and its job
// retried once.
import * as path from 'path';
import { Worker } from 'worker_threads';
import { UserError } from '../errors';
import { runsOnOneWorker } from './oneWorkerModels';
import { poolShape } from './poolShape';
import type { EngineJob, JobResult } from '../../protocol/engineJobs';
import type { BackendInfo } from '../../protocol/model';
import type { FromWorker, ToWorker, WorkerInit } from '../../protocol/workerMessages';

export interface PoolOptions {
  /** Number of worker threads; default (or 0): as poolShape.ts chooses for the cores. */
  size?: number;
  /** XNNPACK threads per worker (the threaded wasm build above 1); default (or 0): poolShape.ts. */
  threads?: number;
  /** The bundled worker script; default `worker.js` beside this bundle. */
  workerScript?: string;
  /** Folder of the tfjs .wasm files; default the bundle's folder. */
  wasmDir?: string;
  backend?: 'wasm' | 'cpu';
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

interface Pending {
  id: number;
  job: EngineJob;
  attempts: number;
  resolve(value: unknown): void;
  reject(error: Error): void;
  signal?: AbortSignal;
  onAbort?: () => void;
  onProgress?: (done: number, total: number) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  backend?: BackendInfo;
  running?: Pending;
  /** Set when the pool itself stops this worker, so its exit is not taken for a crash. */
  stopping?: boolean;
  /** Models this worker was sent jobs of lately (paths): a job goes to a free worker that has its model. */
  models: string[];
}

/** As many as the workers' model caches keep (jobs/modelCache.ts). */
const MODELS_REMEMBERED = 4;

const MAX_ATTEMPTS = 2;

export class WorkerPool {
  readonly size: number;
  /** XNNPACK threads each worker asked for (BackendInfo.threads says what it got). */
  readonly threadsPerWorker: number;
  private readonly init: WorkerInit;
  private readonly script: string;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private startFailures = 0;
  private disposed = false;
  private backendWaiters: Array<(b: BackendInfo) => void> = [];

  constructor(options: PoolOptions = {}) {
    const shape = poolShape({ workers: options.size, threads: options.threads });
    this.size = shape.workers;
    this.threadsPerWorker = shape.threads;
    this.script = options.workerScript ?? path.join(__dirname, 'worker.js');
    this.init = { wasmDir: options.wasmDir ?? __dirname, backend: options.backend ?? 'wasm', threads: shape.threads };
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn());
  }

  /** Runs one job on the next free worker; `onProgress` hears the worker's progress while the job runs. */
  run<J extends EngineJob>(job: J, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<JobResult<J>> {
    if (this.disposed) return Promise.reject(new Error('the engine worker pool has been disposed'));
    if (signal?.aborted) return Promise.reject(new CancelledError());
    return new Promise<JobResult<J>>((resolve, reject) => {
      const pending: Pending = { id: this.nextId++, job, attempts: 0, resolve: resolve as (v: unknown) => void, reject, signal, onProgress };
      if (signal) {
        pending.onAbort = () => this.cancel(pending);
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.queue.push(pending);
      this.dispatch();
    });
  }

  /** What the workers compute on, once the first one is up. */
  backend(): Promise<BackendInfo> {
    const known = this.slots.find((s) => s.backend)?.backend;
    return known ? Promise.resolve(known) : new Promise((resolve) => this.backendWaiters.push(resolve));
  }

  /** For tests: the live worker threads. */
  get threads(): readonly Worker[] {
    return this.slots.map((s) => s.worker);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const p of this.queue.splice(0)) this.settle(p, new Error('the engine worker pool was disposed'));
    await Promise.all(
      this.slots.map((slot) => {
        slot.stopping = true;
        if (slot.running) this.settle(slot.running, new Error('the engine worker pool was disposed'));
        return slot.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    // No inherited Node flags: the worker is a plain bundle, and a loader such as tsx (tests, scripts) would
    // otherwise start again in every worker (measured: ready after ~650 ms instead of ~150 ms).
    const worker = new Worker(this.script, { workerData: this.init, execArgv: [] });
    const slot: Slot = { worker, ready: false, models: [] };
    worker.on('message', (msg: FromWorker) => this.onMessage(slot, msg));
    worker.on('error', (err) => this.onExit(slot, err.message));
    worker.on('exit', (code) => this.onExit(slot, `exit code ${code}`));
    return slot;
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    if (msg.type === 'ready') {
      slot.ready = true;
      slot.backend = msg.backend;
      this.startFailures = 0;
      for (const w of this.backendWaiters.splice(0)) w(msg.backend);
      this.dispatch();
      return;
    }
    const pending = slot.running;
    if (!pending || pending.id !== msg.inReplyTo) return;
    if (msg.type === 'progress') {
      pending.onProgress?.(msg.done, msg.total);
      return;
    }
    slot.running = undefined;
    if (msg.type === 'done') this.settle(pending, undefined, msg.result);
    else this.settle(pending, msg.userError ? new UserError(msg.message) : new Error(msg.message));
    this.dispatch();
  }

  /** A worker ended: replace it, and retry its job once unless the pool stopped it on purpose. */
  private onExit(slot: Slot, reason: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return; // 'error' and 'exit' both fire; handle once
    this.slots.splice(index, 1);
    if (this.disposed) return;
    const wasReady = slot.ready;
    const pending = slot.running;
    slot.running = undefined;
    if (pending && !slot.stopping) {
      pending.attempts++;
      if (pending.attempts < MAX_ATTEMPTS) this.queue.unshift(pending);
      else this.settle(pending, new Error(`the engine worker crashed twice running a ${pending.job.type} job (${reason})`));
    }
    if (!wasReady && !slot.stopping) this.startFailures++;
    if (this.startFailures >= 2) {
      // Workers die before they are ready: respawning would loop; fail what waits instead.
      for (const p of this.queue.splice(0)) this.settle(p, new Error(`engine workers fail to start (${reason}); script ${this.script}`));
      if (this.slots.length === 0) this.slots.push(this.spawn());
      return;
    }
    this.slots.push(this.spawn());
    this.dispatch();
  }

  private dispatch(): void {
    for (let i = 0; i < this.queue.length; ) {
      const free = this.slots.filter((s) => s.ready && !s.running && !s.stopping);
      if (free.length === 0) return;
      const next = this.queue[i];
      const slot = this.slotFor(next.job, free);
      // Not now: a large model's job waits for the worker that has its model.
      if (!slot) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      slot.running = next;
      this.remember(slot, next.job);
      const msg: ToWorker = { messageId: next.id, job: next.job };
      slot.worker.postMessage(msg);
    }
  }

  /**
   * Where a job runs: on a free worker that has its model (no second copy, no second load), else on the first
   * free one; a large model's job only on the worker that has it, once one has (oneWorkerModels.ts: every
   * worker that runs a model holds its own copy).
   */
  private slotFor(job: EngineJob, free: Slot[]): Slot | undefined {
    const model = 'model' in job ? job.model.path : undefined;
    const holder = model === undefined ? undefined : this.slots.find((s) => s.models.includes(model));
    if (holder && this.oneWorker(model!)) return free.includes(holder) ? holder : undefined;
    return holder && free.includes(holder) ? holder : free[0];
  }

  private remember(slot: Slot, job: EngineJob): void {
    if (!('model' in job)) return;
    slot.models = [job.model.path, ...slot.models.filter((m) => m !== job.model.path)].slice(0, MODELS_REMEMBERED);
  }

  /** runsOnOneWorker, looked up once per model path (dispatch asks for every queued job). */
  private readonly oneWorkerModels = new Map<string, boolean>();
  private oneWorker(model: string): boolean {
    let known = this.oneWorkerModels.get(model);
    if (known === undefined) this.oneWorkerModels.set(model, (known = runsOnOneWorker(model)));
    return known;
  }

  private cancel(pending: Pending): void {
    const queued = this.queue.indexOf(pending);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
    } else {
      const slot = this.slots.find((s) => s.running === pending);
      if (!slot) return; // already finished
      // The job runs synchronously inside its worker: stopping the thread is the only way to stop it.
      slot.stopping = true;
      slot.running = undefined;
      void slot.worker.terminate();
      this.slots.splice(this.slots.indexOf(slot), 1);
      this.slots.push(this.spawn());
    }
    this.settle(pending, new CancelledError());
  }

  private settle(pending: Pending, error?: Error, value?: unknown): void {
    if (pending.signal && pending.onAbort) pending.signal.removeEventListener('abort', pending.onAbort);
    if (error) pending.reject(error);
    else pending.resolve(value);
  }
}
