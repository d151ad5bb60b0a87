// A pool of engine worker threads. Each has its own WASM backend, on one or more XNNPACK threads
// (poolShape.ts: workers × threads follow the cores), and model cache, and runs one job at a time.
// Jobs wait in one queue ordered by priority (jobPriority.ts: the visible panel's current request first,
// then visible panels, then hidden ones; background work only while nothing else waits or runs). A job is
// cancelled in its worker between two nodes (jobs/cancellation.ts) through a flag the pool and the worker
// share, so the worker keeps its loaded models; background work that other work overtakes is stopped the
// same way and queued again. A worker whose wasm instance faulted is replaced before it takes another job;
// one that crashes is replaced and its job retried once. A large model's jobs run on one worker only
// (oneWorkerModels.ts). Workers start as work needs them (up to `size`): one at first, another only while
// queued work waits that no worker can take now and a new one could. An idle worker is a whole tfjs backend
// and V8 isolate (~57 MB measured, more threaded), kept for nothing when a large model's work stays on the
// one worker that holds it.
import * as path from 'path';
import { Worker } from 'worker_threads';
import { UserError } from '../errors';
import { runsOnOneWorker } from './oneWorkerModels';
import { poolShape } from './poolShape';
import type { EngineJob, JobResult } from '../../protocol/engineJobs';
import type { BackendInfo, ModelLoadProgress } from '../../protocol/model';
import type { FromWorker, ToWorker, WorkerInit } from '../../protocol/workerMessages';
import { DEFAULT_PRIORITY, isBackground, type JobPriority } from './jobPriority';

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

/** Who asks for jobs: their priority, and who hears how far a model they wait for has loaded. */
export interface Requester {
  priority?: JobPriority;
  onModelLoad?: (progress: ModelLoadProgress) => void;
  /** A job of theirs, cancelled while it ran, stopped in its worker after visiting `checkpoints` nodes (and images). */
  onStopped?: (checkpoints: number) => void;
}

/** What the parallel helpers (parallelJobs.ts, evaluate/) need of a pool: its size and `run`. */
export interface JobRunner {
  readonly size: number;
  run<J extends EngineJob>(job: J, signal?: AbortSignal, onProgress?: (done: number, total: number) => void): Promise<JobResult<J>>;
}

interface Pending {
  /** Queue order among jobs of one rank (a job stopped to make way keeps its place). */
  seq: number;
  job: EngineJob;
  attempts: number;
  resolve(value: unknown): void;
  reject(error: Error): void;
  settled: boolean;
  signal?: AbortSignal;
  onAbort?: () => void;
  onProgress?: (done: number, total: number) => void;
  requester: Requester;
  /** The one worker this job must run on (runOnEachWorker), if any. */
  pinned?: Slot;
}

interface Slot {
  worker: Worker;
  /** Int32Array(1) shared with the worker: the messageId of the job to stop (WorkerInit.cancel). */
  cancel: Int32Array;
  ready: boolean;
  backend?: BackendInfo;
  running?: Pending;
  /** The messageId the running job was sent with (a new one per dispatch). */
  messageId?: number;
  /** Its job was told to stop: 'cancel' (settled already) or 'preempt' (queued again when it stops). The
   *  worker takes no other job until it answers. */
  stopping?: 'cancel' | 'preempt';
  stopTimer?: NodeJS.Timeout;
  /** Set when the pool itself ends this worker, so its exit is not taken for a crash. */
  retiring?: boolean;
  /** Models this worker was sent jobs of lately (paths): a job goes to a free worker that has its model. */
  models: string[];
}

const MAX_ATTEMPTS = 2;
/** A job told to stop does so at its next node; one that has not after this long (a node that takes this
 *  long, a model still loading) has its worker ended instead, as Cancel did before. */
export const STOP_GRACE = { ms: 10_000 };
/** As many as the workers' model caches keep (jobs/modelCache.ts). */
const MODELS_REMEMBERED = 4;
/** The young generation of each worker's V8 heap, MB (see `spawn`). */
const WORKER_YOUNG_GENERATION_MB = 16;

export class WorkerPool implements JobRunner {
  readonly size: number;
  /** XNNPACK threads each worker asked for (BackendInfo.threads says what it got). */
  readonly threadsPerWorker: number;
  private readonly init: Omit<WorkerInit, 'cancel'>;
  private readonly script: string;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextSeq = 1;
  private nextMessageId = 1;
  private startFailures = 0;
  private disposed = false;
  private backendWaiters: Array<(b: BackendInfo) => void> = [];
  private foregroundListeners = new Set<(owner: string | undefined) => void>();
  private foregroundShown: string | undefined;

  constructor(options: PoolOptions = {}) {
    const shape = poolShape({ workers: options.size, threads: options.threads });
    this.size = shape.workers;
    this.threadsPerWorker = shape.threads;
    this.script = options.workerScript ?? path.join(__dirname, 'worker.js');
    this.init = { wasmDir: options.wasmDir ?? __dirname, backend: options.backend ?? 'wasm', threads: shape.threads };
    // One worker at once, so that the backend is up by the first job; the others when work needs them.
    this.slots.push(this.spawn());
  }

  /**
   * Runs one job on the next free worker, in priority order (`requester.priority`, read whenever the pool
   * picks a job); `onProgress` hears the worker's progress while the job runs.
   */
  run<J extends EngineJob>(job: J, signal?: AbortSignal, onProgress?: (done: number, total: number) => void, requester: Requester = {}): Promise<JobResult<J>> {
    return this.enqueue(job, signal, onProgress, requester);
  }

  /**
   * Runs `job` once on every worker started so far (each copy waits for its own worker, in priority order
   * there; none starts a worker): what each worker holds (a memory job), as tests and the bench ask.
   */
  runOnEachWorker<J extends EngineJob>(job: J): Promise<Array<JobResult<J>>> {
    return Promise.all(this.slots.filter((s) => !s.retiring).map((slot) => this.enqueue(job, undefined, undefined, {}, slot)));
  }

  private enqueue<J extends EngineJob>(job: J, signal: AbortSignal | undefined, onProgress: ((done: number, total: number) => void) | undefined, requester: Requester, pinned?: Slot): Promise<JobResult<J>> {
    if (this.disposed) return Promise.reject(new Error('the engine worker pool has been disposed'));
    if (signal?.aborted) return Promise.reject(new CancelledError());
    return new Promise<JobResult<J>>((resolve, reject) => {
      const pending: Pending = { seq: this.nextSeq++, job, attempts: 0, resolve: resolve as (v: unknown) => void, reject, settled: false, signal, onProgress, requester, pinned };
      if (signal) {
        pending.onAbort = () => this.cancel(pending);
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.queue.push(pending);
      this.dispatch();
    });
  }

  /** The pool as one requester sees it: every job it runs has the requester's priority and load listener. */
  runner(requester: Requester): JobRunner {
    return { size: this.size, run: (job, signal, onProgress) => this.run(job, signal, onProgress, requester) };
  }

  /**
   * Tells `listener` who holds the workers while background work waits: the owner of the first job that is
   * not background (queued or running), or undefined when none is and background work runs. Returns a
   * function that stops telling.
   */
  onForegroundChange(listener: (owner: string | undefined) => void): () => void {
    this.foregroundListeners.add(listener);
    return () => this.foregroundListeners.delete(listener);
  }

  /** As onForegroundChange tells it last. */
  foreground(): string | undefined {
    return this.foregroundShown;
  }

  /** What the workers compute on, once the first one is up. */
  backend(): Promise<BackendInfo> {
    const known = this.slots.find((s) => s.backend)?.backend;
    return known ? Promise.resolve(known) : new Promise((resolve) => this.backendWaiters.push(resolve));
  }

  /** The live worker threads (started so far, at most `size`); for tests and for per-worker queries. */
  get threads(): readonly Worker[] {
    return this.slots.map((s) => s.worker);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const p of this.queue.splice(0)) this.settle(p, new Error('the engine worker pool was disposed'));
    await Promise.all(
      this.slots.map((slot) => {
        slot.retiring = true;
        clearTimeout(slot.stopTimer);
        if (slot.running) this.settle(slot.running, new Error('the engine worker pool was disposed'));
        return slot.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    const init: WorkerInit = { ...this.init, cancel: cancel.buffer as SharedArrayBuffer };
    // No inherited Node flags: the worker is a plain bundle, and a loader such as tsx (tests, scripts) would
    // otherwise start again in every worker (measured: ready after ~650 ms instead of ~150 ms).
    // A worker's JS makes short-lived garbage only (messages, typed-array views); V8 grows each isolate's young
    // generation up to ~48 MB for it. Capped at 16 MB the ResNet-18 seed set peaked 564–567 MB instead of
    // 585–587 MB (2×1); 8 MB gave 554–560 MB but cost MNIST LRP at batch 256 ~30 % (.notes/threads.md).
    const worker = new Worker(this.script, { workerData: init, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
    const slot: Slot = { worker, cancel, ready: false, models: [] };
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
    if (!pending || msg.inReplyTo !== slot.messageId) return;
    if (msg.type === 'progress' || msg.type === 'model-load') {
      if (slot.stopping) return; // a job told to stop reports nothing more
      if (msg.type === 'progress') pending.onProgress?.(msg.done, msg.total);
      else pending.requester.onModelLoad?.(msg.progress);
      return;
    }
    const stopping = slot.stopping;
    this.free(slot);
    if (msg.type === 'done') {
      this.settle(pending, undefined, msg.result);
    } else if (msg.type === 'cancelled') {
      pending.requester.onStopped?.(msg.checkpoints);
      // Made way for other work: back in the queue, at its place.
      if (stopping === 'preempt' && !pending.settled) this.queue.push(pending);
    } else {
      this.settle(pending, msg.userError ? new UserError(msg.message) : new Error(msg.message));
      if (msg.fault) this.replace(slot);
    }
    this.dispatch();
  }

  /** The slot's job is over (answered, or its worker gone): the worker may take the next one. */
  private free(slot: Slot): void {
    clearTimeout(slot.stopTimer);
    slot.running = undefined;
    slot.messageId = undefined;
    slot.stopping = undefined;
  }

  /** A worker ended: replace it, and retry its job once unless the pool stopped it on purpose. */
  private onExit(slot: Slot, reason: string): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return; // 'error' and 'exit' both fire; handle once
    this.slots.splice(index, 1);
    if (this.disposed) return;
    const wasReady = slot.ready;
    const pending = slot.running;
    const stopping = slot.stopping;
    this.free(slot);
    if (pending && !pending.settled) {
      if (stopping === 'preempt') this.queue.push(pending);
      else if (!slot.retiring) {
        pending.attempts++;
        if (pending.attempts < MAX_ATTEMPTS) this.queue.push(pending);
        else this.settle(pending, new Error(`the engine worker crashed twice running a ${pending.job.type} job (${reason})`));
      }
    }
    if (!wasReady && !slot.retiring) this.startFailures++;
    if (this.startFailures >= 2) {
      // Workers die before they are ready: respawning would loop; fail what waits instead.
      for (const p of this.queue.splice(0)) this.settle(p, new Error(`engine workers fail to start (${reason}); script ${this.script}`));
      if (this.slots.length === 0) this.slots.push(this.spawn());
      return;
    }
    if (!slot.retiring) this.slots.push(this.spawn());
    this.dispatch();
  }

  /** Ends a worker and puts a new one in its place (its job, if any, is settled or queued already). */
  private replace(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    slot.retiring = true;
    this.slots.splice(index, 1, this.spawn());
    void slot.worker.terminate();
  }

  private dispatch(): void {
    if (this.disposed) return;
    // A job for one worker that has ended (crashed, faulted, stopped): that worker will never answer it.
    for (const p of this.queue.filter((q) => q.pinned && !this.slots.includes(q.pinned))) {
      this.queue.splice(this.queue.indexOf(p), 1);
      this.settle(p, new Error(`the engine worker ended before it ran a ${p.job.type} job`));
    }
    for (;;) {
      const free = this.slots.filter((s) => s.ready && !s.running && !s.retiring);
      if (free.length === 0) break;
      // Background work starts only while nothing else waits or runs.
      const next = this.takeNext(!this.hasForeground(), free);
      if (!next) break;
      this.start(next.slot, next.pending);
    }
    this.grow();
    // ... and makes way as soon as other work arrives: stopped between nodes, queued again.
    if (this.hasForeground()) {
      for (const slot of this.slots) {
        if (slot.running && !slot.stopping && isBackground(priorityOf(slot.running))) this.stop(slot, 'preempt');
      }
    }
    this.tellForeground();
  }

  /**
   * Starts workers (up to `size`) for the queued work that none of the live ones can take now: one per
   * waiting job a new worker could run, less the workers already starting. A large model's jobs count once
   * per model (they all run on the one worker that first takes one), none once a worker holds that model.
   */
  private grow(): void {
    if (this.slots.length >= this.size || this.startFailures > 0) return;
    const allowBackground = !this.hasForeground();
    const oneWorkerModels = new Set<string>();
    let waiting = 0;
    for (const p of this.queue) {
      if (p.pinned || (!allowBackground && isBackground(priorityOf(p)))) continue;
      const model = 'model' in p.job ? p.job.model.path : undefined;
      if (model !== undefined && this.oneWorker(model)) {
        if (oneWorkerModels.has(model) || this.holder(model)) continue;
        oneWorkerModels.add(model);
      }
      waiting++;
    }
    let starting = this.slots.filter((s) => !s.ready && !s.retiring).length;
    while (this.slots.length < this.size && waiting > starting) {
      this.slots.push(this.spawn());
      starting++;
    }
  }

  private start(slot: Slot, pending: Pending): void {
    slot.running = pending;
    this.remember(slot, pending.job);
    slot.messageId = this.nextMessageId++;
    const msg: ToWorker = { messageId: slot.messageId, job: pending.job };
    slot.worker.postMessage(msg);
  }

  /**
   * The queued job to run next and its worker: lowest rank first, in queue order within a rank, among the
   * jobs one of the `free` workers may take (a large model's job waits for the worker that has its model).
   */
  private takeNext(allowBackground: boolean, free: Slot[]): { pending: Pending; slot: Slot } | undefined {
    let best = -1;
    let bestRank = Infinity;
    let bestSlot: Slot | undefined;
    this.queue.forEach((p, k) => {
      const rank = priorityOf(p).rank();
      if (!allowBackground && isBackground(priorityOf(p))) return;
      if (!(rank < bestRank || (rank === bestRank && p.seq < this.queue[best].seq))) return;
      const slot = p.pinned ? (free.includes(p.pinned) ? p.pinned : undefined) : this.slotFor(p.job, free);
      if (!slot) return;
      best = k;
      bestRank = rank;
      bestSlot = slot;
    });
    return best < 0 ? undefined : { pending: this.queue.splice(best, 1)[0], slot: bestSlot! };
  }

  /**
   * Where a job runs: on a free worker that has its model (no second copy, no second load), else on the first
   * free one; a large model's job only on the worker that has it, once one has (oneWorkerModels.ts: every
   * worker that runs a model holds its own copy).
   */
  private slotFor(job: EngineJob, free: Slot[]): Slot | undefined {
    const model = 'model' in job ? job.model.path : undefined;
    const holder = model === undefined ? undefined : this.holder(model);
    if (holder && this.oneWorker(model!)) return free.includes(holder) ? holder : undefined;
    return holder && free.includes(holder) ? holder : free[0];
  }

  /** The live worker that ran a job of `model` lately, if any. */
  private holder(model: string): Slot | undefined {
    return this.slots.find((s) => s.models.includes(model) && !s.retiring);
  }

  /** runsOnOneWorker, looked up once per model path (dispatch asks for every queued job). */
  private readonly oneWorkerModels = new Map<string, boolean>();
  private oneWorker(model: string): boolean {
    let known = this.oneWorkerModels.get(model);
    if (known === undefined) this.oneWorkerModels.set(model, (known = runsOnOneWorker(model)));
    return known;
  }

  /** Work other than background is queued or running. */
  private hasForeground(): boolean {
    return this.foregroundOwner() !== null;
  }

  /** The owner of the first-ranked job that is not background, '' when it names none; null when there is none. */
  private foregroundOwner(): string | null {
    let best: Pending | undefined;
    let bestRank = Infinity;
    const consider = (p: Pending) => {
      const priority = priorityOf(p);
      if (isBackground(priority)) return;
      const rank = priority.rank();
      if (rank < bestRank) {
        best = p;
        bestRank = rank;
      }
    };
    for (const slot of this.slots) if (slot.running && slot.stopping !== 'cancel') consider(slot.running);
    this.queue.forEach(consider);
    return best ? (priorityOf(best).owner ?? '') : null;
  }

  private tellForeground(): void {
    const owner = this.foregroundOwner() ?? undefined;
    if (owner === this.foregroundShown) return;
    this.foregroundShown = owner;
    for (const listener of this.foregroundListeners) listener(owner);
  }

  /** Tells the slot's job to stop at its next node; ends the worker if it has not after STOP_GRACE.ms. */
  private stop(slot: Slot, why: 'cancel' | 'preempt'): void {
    slot.stopping = why;
    Atomics.store(slot.cancel, 0, slot.messageId!);
    clearTimeout(slot.stopTimer);
    slot.stopTimer = setTimeout(() => {
      if (!slot.stopping || slot.retiring) return;
      const pending = slot.running;
      this.free(slot);
      if (pending && !pending.settled && why === 'preempt') this.queue.push(pending);
      this.replace(slot);
      this.dispatch();
    }, STOP_GRACE.ms);
    slot.stopTimer.unref?.();
  }

  private cancel(pending: Pending): void {
    const queued = this.queue.indexOf(pending);
    if (queued >= 0) this.queue.splice(queued, 1);
    else {
      const slot = this.slots.find((s) => s.running === pending);
      if (!slot) return; // already finished
      // The worker stops the job at its next node and answers; it takes no other job until then.
      this.stop(slot, 'cancel');
    }
    this.settle(pending, new CancelledError());
    this.dispatch();
  }

  private settle(pending: Pending, error?: Error, value?: unknown): void {
    if (pending.settled) return;
    pending.settled = true;
    if (pending.signal && pending.onAbort) pending.signal.removeEventListener('abort', pending.onAbort);
    if (error) pending.reject(error);
    else pending.resolve(value);
  }

  private remember(slot: Slot, job: EngineJob): void {
    if (!('model' in job)) return;
    slot.models = [job.model.path, ...slot.models.filter((m) => m !== job.model.path)].slice(0, MODELS_REMEMBERED);
  }
}

function priorityOf(pending: Pending): JobPriority {
  return pending.requester.priority ?? DEFAULT_PRIORITY;
}
