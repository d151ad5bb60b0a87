// The one worker pool of the extension: started on first use, reused, restarted when the worker count
// setting changes, stopped on deactivate.
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { WorkerPool } from '../engine/pool/workerPool';
import { readSettings } from './settings';

export class EngineService implements vscode.Disposable {
  private pool: WorkerPool | undefined;

  constructor(private readonly extensionPath: string) {}

  get(): WorkerPool {
    const wanted = readSettings().workers || os.availableParallelism?.() || os.cpus().length;
    if (this.pool && this.pool.size !== wanted) {
      void this.pool.dispose();
      this.pool = undefined;
    }
    if (!this.pool) {
      const dist = path.join(this.extensionPath, 'dist');
      this.pool = new WorkerPool({ size: wanted, workerScript: path.join(dist, 'worker.js'), wasmDir: dist });
    }
    return this.pool;
  }

  /** "wasm-simd · 2 workers", once the pool runs. */
  async describe(): Promise<string> {
    const pool = this.get();
    const backend = await pool.backend();
    const name = backend.reason ? `${backend.name} (${backend.reason})` : backend.name;
    return `${name} · ${pool.size} worker${pool.size === 1 ? '' : 's'}`;
  }

  dispose(): void {
    void this.pool?.dispose();
    this.pool = undefined;
  }
}
