// The peer in the same run: Zennit 0.5.1 (PyTorch) through test/bench/peer/zennit_peer.py on the same ONNX
// file and the same image, so that the speed ratios are measured minutes apart on the same machine, and its
// maps check ours. Used when Python with torch, onnx and zennit is importable: `--zennit <zennit/src>` or
// ZENNIT_SRC names a source tree to put on PYTHONPATH (none: an installed zennit), PYTHON the interpreter
// (default /usr/bin/python3, then python3). Never needed: without it the bench prints the figures as
// the reference and says so.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { REPO } from './models';

const PEER_DIR = path.join(REPO, 'test', 'bench', 'peer');

export interface Peer {
  python: string;
  /** PYTHONPATH for the peer (the Zennit tree if given, and the peer folder). */
  pythonPath: string;
  versions: string;
}

export interface PeerMethod {
  method: string;
  target: number[];
  shape: [number, number];
  /** One map per input row (the peer's input has one). */
  relevance: number[][];
  /** ms per heatmap at each batch timed, e.g. { 1: 41.9, 16: 30.2 }. */
  msPerHeatmap: Record<number, number>;
  /** CPU ms (all threads of the peer's process) per heatmap at each batch. */
  cpuMsPerHeatmap: Record<number, number>;
}

/** The peer if it can run here, else the reason why not (printed by the bench). */
export function findPeer(zennitSrc = process.env.ZENNIT_SRC): Peer | string {
  const pythonPath = [zennitSrc, PEER_DIR, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
  const candidates = [process.env.PYTHON, '/usr/bin/python3', 'python3'].filter((p): p is string => !!p);
  let reason = 'no Python interpreter found';
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch, onnx, zennit; print(torch.__version__, zennit.__version__ if hasattr(zennit, "__version__") else "?")'], {
      env: { ...process.env, PYTHONPATH: pythonPath },
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (probe.status === 0) return { python, pythonPath, versions: `torch ${probe.stdout.trim().split(' ')[0]}, zennit from ${zennitSrc ?? 'the installed package'}` };
    if (probe.error?.message.includes('ENOENT')) continue;
    reason = `${python} cannot import torch, onnx and zennit (${(probe.stderr || '').trim().split('\n').pop()})`;
  }
  return reason;
}

/**
 * Zennit's maps of `methods` on `model` for `image` (a model-sized PNG read as `--preprocess none` reads
 * it), timed at `batches` with `threads` threads; the median of `repeats` after a warm-up.
 */
export function runPeer(
  peer: Peer,
  args: { model: string; image: string; card: object; methods: string[]; batches: number[]; repeats: number; threads: number },
): PeerMethod[] {
  fs.mkdirSync(path.join(REPO, '.cache', 'tmp'), { recursive: true });
  const dir = fs.mkdtempSync(path.join(REPO, '.cache', 'tmp', 'peer-'));
  try {
    const card = path.join(dir, 'card.json');
    const out = path.join(dir, 'peer.json');
    fs.writeFileSync(card, JSON.stringify(args.card));
    const argv = [
      path.join(PEER_DIR, 'zennit_peer.py'),
      args.model,
      '--input', args.image,
      '--card', card,
      '--methods', args.methods.join(','),
      '--batches', args.batches.join(','),
      '--repeats', String(args.repeats),
      '--threads', String(args.threads),
      '--json', out,
    ];
    execFileSync(peer.python, argv, { env: { ...process.env, PYTHONPATH: peer.pythonPath }, stdio: ['ignore', 'ignore', 'inherit'] });
    const parsed = JSON.parse(fs.readFileSync(out, 'utf8')) as { results: Array<Record<string, unknown>> };
    return parsed.results.map((r) => ({
      method: r.method as string,
      target: r.target as number[],
      shape: r.shape as [number, number],
      relevance: r.relevance as number[][],
      msPerHeatmap: Object.fromEntries(args.batches.map((b) => [b, r[`ms_per_heatmap_b${b}`] as number])),
      cpuMsPerHeatmap: Object.fromEntries(args.batches.map((b) => [b, r[`cpu_ms_per_heatmap_b${b}`] as number])),
    }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
