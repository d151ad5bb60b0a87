// explain-image: the engine from the command line. Same workers, models and rendering as the extension.
// One module per command (explainCommand.ts, compareCommand.ts, evaluateCommand.ts, listCommands.ts);
// this file parses the command line, dispatches, and turns errors into exit codes: 2 for usage, 1 for
// anything else.
import { parseArgs } from 'util';
import { cutMiddle, isUserError, MAX_MESSAGE } from '../engine/errors';
import { compareCommand } from './compareCommand';
import { conceptsCommand } from './conceptsCommand';
import { evaluateCommand } from './evaluateCommand';
import { explainCommand } from './explainCommand';
import { methodsCommand, modelsCommand } from './listCommands';
import { CheckpointRefused } from './modelArgument';
import { OPTIONS, UsageError, type Options } from './options';
import { sprayCommand } from './sprayCommand';

const USAGE = `Usage: explain-image <command> [options]

Commands:
  explain <images, folders, globs...> [--dataset <file|folder> [--indices 0-99,120,500-]]
          --model <id|model file> --method <spec[,spec...]> [--target <k>] [--contrast <k>] [--preprocess auto|fit|none]
          [--out <file.png|folder>] [--json | --jsonl] [--colormap bwr|gray|coldnhot|viridis] [--scale <n>]
          (one PNG per image × method in --out; a bad image is reported and skipped, exit code 1 at the end)
  compare <images...> --model <id|model file> [<images...> --model <...>] [--methods seed|<spec,spec,...>]
          --out <grid.png> [--preprocess auto|fit|none]
          (each --model explains the images before it: one figure, one row group per data set)
  evaluate <images, folders, globs...> [--dataset <file|folder> [--indices ...]] --model <id|model file>
          [--methods seed|<spec,spec,...>] [--steps <K>] [--target <k>] [--contrast <k>]
          [--baseline black|mean|blur] [--patch <side>] [--road] [--preprocess auto|fit|none]
          [--json] [--out <curves.png>]
          pixel flipping: how fast each method's most relevant pixels destroy the target logit
          (AOPC MoRF/LeRF, ABPC ± s.e.; table best first by ABPC; K = 20 steps by default), and the
          verdict: which method is most faithful, and which are worse (paired Wilcoxon, Holm);
          --road adds ROAD (removed pixels imputed from their neighbours instead of a constant)
  evaluate <images...> --model <...> --randomise [--seed <n>] [--methods ...] [--json]
          model randomisation check: Spearman correlation of each map with the maps of the model whose
          Dense/Conv layers are re-drawn from the top down, one more layer per step
  concepts <image> --layer <node> [--dataset <file|folder>] [--model <id|model file>] [--method <LRP spec>]
          [--target <k>] [--top <n>] [--references <n>] [--json] [--out <folder>]
          which channels of a Dense/Conv node carry the explanation (CRP): each channel's relevance and
          share, the top channels' conditional heatmaps (--out), with --dataset their reference samples
  spray   --dataset <file|folder> --class <k|label> [--by label|predicted] [--model ...] [--method ...]
          [--json] [--out <folder>]
          the strategies a model uses for a class (SpRAy): its heatmaps over the data set clustered
          (eigengap of the kNN graph's normalised Laplacian, k-means); sizes, prototypes, eigenvalues
          (concepts and spray: --model mnist-cnn and --method lrp-a2b1 unless given)
  models  [--json]      list the bundled models
  methods [--json]      list the methods, their parameters and defaults

A model is a bundled id (explain-image models) or a model file: a tfjs Layers model.json, an ONNX
.onnx (torch.onnx.export), a Keras .keras or .h5; its card is <model file>.card.json or card.json beside it.
A method spec is an id or preset (lrp-a2b1) or an id with parameters (lrp-ab:alpha=3,beta=2,
lrp-epsilon:epsilon=0.25, integrated-gradients:steps=64). Common options: --workers <n>, --threads <n>
(engine workers, and XNNPACK threads per worker; by default as the cores allow).

Examples:
  explain-image explain models/samples/mnist-7-0000.png --model mnist-cnn --method lrp-a2b1 --out heat.png
  explain-image explain digit.png --model path/to/model.json --method deep-taylor --json
  explain-image explain --dataset train-images-idx3-ubyte --indices 0-999 --model mnist-mlp --method lrp-a2b1 --out heatmaps/
  explain-image explain 'photos/**/*.jpg' --model cnn/model.json --method lrp-epsilon --jsonl > results.jsonl
  explain-image explain cat.jpg --model resnet18.onnx --method lrp-epsilon --target 281 --out heat.png
  explain-image compare models/samples/mnist-*.png --model mnist-mlp --methods seed --out grid.png
  explain-image compare mnist-*-0000.png --model mnist-cnn fashion-*-*.png --model fashion-cnn --out seed.png
  explain-image evaluate models/samples/mnist-*.png --model mnist-cnn --methods seed --out curves.png
  explain-image concepts models/samples/mnist-7-0000.png --layer conv2 --dataset models/samples/mnist-test-1k.npz
  explain-image spray --dataset models/samples/mnist-test-1k.npz --class 7 --json > strategies.json`;

/** How long the process may linger after a failed command's message (pending file operations) before it exits. */
const EXIT_GRACE_MS = 5000;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const [command, ...files] = parsed.positionals;
  const opts = parsed.values as Options;
  if (opts.help || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  switch (command) {
    case 'explain':
      return explainCommand(files, opts);
    case 'compare':
      return compareCommand(argv, opts);
    case 'evaluate':
      return evaluateCommand(files, opts);
    case 'concepts':
      return conceptsCommand(files, opts);
    case 'spray':
      return sprayCommand(files, opts);
    case 'models':
      return modelsCommand(opts);
    case 'methods':
      return methodsCommand(opts);
    case undefined:
      throw new UsageError('no command given');
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`explain-image: ${cutMiddle(e.message.split('\n')[0], MAX_MESSAGE, 90)}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (isUserError(e)) {
      process.stderr.write(`explain-image: ${e.message}\n`);
      if (e instanceof CheckpointRefused) process.stderr.write(`\nExport it to ONNX with Python where the model trains (then --model the .onnx file):\n\n${e.snippet}`);
      process.exitCode = 1;
    } else {
      // A bug, not the user's mistake: one line here, the stack with EXPLAIN_IMAGE_DEBUG=1.
      const first = String((e as Error)?.message ?? e).split('\n')[0];
      process.stderr.write(`explain-image: internal error: ${cutMiddle(first, MAX_MESSAGE, 90)}\n`);
      if (process.env.EXPLAIN_IMAGE_DEBUG) process.stderr.write(`${(e as Error)?.stack}\n`);
      process.exitCode = 1;
    }
    // Whatever failed may have left a file operation pending (a write to a stuck file system): the command
    // ends anyway, soon after its message.
    setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
  },
);
