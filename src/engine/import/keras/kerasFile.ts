// Reads a Keras model file into what the Keras-config front end (the one tfjs Layers models use) takes:
// the model's {class_name, config} and its weights named "<layer name>/<key>" (kernel, bias, gamma, beta,
// moving_mean, moving_variance, …).
//
// - `.keras` (Keras 3, also Keras 2.13+): a zip of config.json (the model config), metadata.json and
//   model.weights.h5. Keras 3 stores a layer's variables at `layers/<snake_case(class)>[_k]/vars/<i>`:
//   addressed by class name and a per-class counter in the order of `model.layers` (not by the layer's
//   name), nested models as `layers/<model>/layers/…`; Keras 2.13 used
//   `_layer_checkpoint_dependencies/<layer name>/vars/<i>`. Variable i is the layer's i-th variable,
//   trainable ones first, in creation order (Dense: kernel, bias; BatchNormalization: gamma, beta,
//   moving_mean, moving_variance).
// - `.h5` (Keras 2 `model.save('m.h5')`, Keras 3's legacy format): the root attribute `model_config` (JSON)
//   and weights under `model_weights/<layer name>/`, listed in order by each group's `weight_names`
//   attribute (`dense/kernel:0` in Keras 2, `kernel` in Keras 3).
import { memorySource } from '../../data/byteSource';
import { readWholeEntry, readZipDirectory, type ZipEntry } from '../../data/zipDirectory';
import { checkBudget } from '../../budgets';
import { cutMiddle, UserError } from '../../errors';
import { readRegularFile } from '../confinedFiles';
import { parseJson } from '../jsonText';
import { openH5, type H5Group } from './h5File';

export interface KerasWeight {
  shape: number[];
  data: Float32Array;
}

export interface KerasModelFile {
  /** The model's {class_name, config}. */
  topology: { class_name: string; config: unknown };
  /** "<layer name>/<key>" → values. */
  weights: Map<string, KerasWeight>;
  format: 'keras' | 'h5';
  notes: string[];
}

/** HDF5's signature, the first 8 bytes of an .h5 file. */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];

export function startsWith(bytes: Uint8Array, signature: number[]): boolean {
  return signature.every((b, i) => bytes[i] === b);
}

export function isHdf5(bytes: Uint8Array): boolean {
  return startsWith(bytes, HDF5_SIGNATURE);
}

export function isZip(bytes: Uint8Array): boolean {
  return startsWith(bytes, ZIP_SIGNATURE);
}

export async function readKerasFile(file: string): Promise<KerasModelFile> {
  const bytes = readRegularFile(file, 'modelBytes', { errorFile: file, what: 'the model file' });
  if (bytes.length === 0) throw new UserError('is empty (0 bytes), not a Keras model', file);
  if (isZip(bytes)) return readKerasZip(bytes, file);
  if (isHdf5(bytes)) return readLegacyH5(bytes, file);
  throw new UserError('is neither a .keras archive (zip) nor an HDF5 .h5 file', file);
}

// ---- .keras -------------------------------------------------------------------------------------------

/** The members a .keras archive is read from, and the budget each is inflated within. */
const KERAS_MEMBERS = { 'config.json': 'jsonBytes', 'metadata.json': 'cardBytes', 'model.weights.h5': 'modelBytes' } as const;

async function readKerasZip(bytes: Uint8Array, file: string): Promise<KerasModelFile> {
  // Our own zip reader, not fflate's unzipSync: it checks every count and offset against the file and
  // inflates each member as a stream capped at its budget (a ZIP64 record claiming 10^8 entries made
  // unzipSync loop; a bomb made it allocate what it declared).
  const zip = memorySource(bytes);
  const directory = await readZipDirectory(zip, file, '.keras (zip)');
  const entries: Partial<Record<keyof typeof KERAS_MEMBERS, Uint8Array>> = {};
  for (const [name, budget] of Object.entries(KERAS_MEMBERS) as Array<[keyof typeof KERAS_MEMBERS, (typeof KERAS_MEMBERS)[keyof typeof KERAS_MEMBERS]]>) {
    const entry: ZipEntry | undefined = directory.find((e) => e.name === name);
    if (entry) entries[name] = await readWholeEntry(zip, entry, budget, file, '.keras (zip)');
  }
  const configBytes = entries['config.json'];
  if (!configBytes) throw new UserError('is a zip without config.json, not a Keras .keras model', file);
  const weightsBytes = entries['model.weights.h5'];
  if (!weightsBytes) {
    throw new UserError('has no model.weights.h5: the archive holds no weights (was it saved with model.save("m.keras")?)', file);
  }
  const topology = parseTopology(new TextDecoder().decode(configBytes), 'config.json', file);
  const notes: string[] = [];
  const metadata = entries['metadata.json'];
  if (metadata) {
    try {
      const m = parseJson(new TextDecoder().decode(metadata), 'metadata.json', file) as { keras_version?: unknown } | null;
      if (typeof m?.keras_version === 'string') notes.push(`saved by Keras ${cutMiddle(m.keras_version, 40, 10)}`);
    } catch {
      // metadata.json only informs; a damaged one does not stop the model from loading.
    }
  }
  const h5 = openH5(weightsBytes, `${file} (model.weights.h5)`);
  const weights = new Map<string, KerasWeight>();
  readSavedVariables(topology, h5, '', weights, `${file} (model.weights.h5)`);
  return { topology, weights, format: 'keras', notes };
}

/** Keras' naming.to_snake_case: "Conv2D" → "conv2d", "BatchNormalization" → "batch_normalization". */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

const MODEL_CLASSES = ['Sequential', 'Functional', 'Model'];

/** The names of a layer's variables, in the order Keras saves them. */
function variableKeys(className: string, config: Record<string, unknown>, count: number): string[] {
  const withBias = (keys: string[]) => (config.use_bias === false ? keys : [...keys, 'bias']);
  let keys: string[];
  switch (className) {
    case 'Dense':
    case 'Conv1D':
    case 'Conv2D':
    case 'Conv3D':
    case 'Conv2DTranspose':
      keys = withBias(['kernel']);
      break;
    case 'DepthwiseConv2D':
      keys = withBias(['depthwise_kernel']);
      break;
    case 'SeparableConv2D':
      keys = withBias(['depthwise_kernel', 'pointwise_kernel']);
      break;
    case 'BatchNormalization':
      keys = [...(config.scale === false ? [] : ['gamma']), ...(config.center === false ? [] : ['beta']), 'moving_mean', 'moving_variance'];
      break;
    case 'LayerNormalization':
    case 'GroupNormalization':
      keys = [...(config.scale === false ? [] : ['gamma']), ...(config.center === false || config.rms_scaling === true ? [] : ['beta'])];
      break;
    case 'LayerScale':
      keys = ['gamma'];
      break;
    case 'Normalization':
      keys = ['mean', 'variance', 'count'];
      break;
    default:
      keys = [];
  }
  // A layer this list does not know still gets its variables, under their indices: the front end then
  // names the layer as unsupported rather than missing weights.
  return Array.from({ length: count }, (_, i) => keys[i] ?? `variable_${i}`);
}

/** Walks the (possibly nested) model's layers as Keras 3 does and reads each one's `vars`. */
function readSavedVariables(model: { class_name: string; config: unknown }, h5: H5Group, prefix: string, out: Map<string, KerasWeight>, where: string): void {
  const layers = layerList(model);
  const used = new Map<string, number>();
  for (const layer of layers) {
    const snake = toSnakeCase(layer.className);
    const k = used.has(snake) ? used.get(snake)! + 1 : 0;
    used.set(snake, k);
    const byClass = `${prefix}layers/${k === 0 ? snake : `${snake}_${k}`}`;
    if (MODEL_CLASSES.includes(layer.className)) {
      readSavedVariables({ class_name: layer.className, config: layer.config }, h5, `${byClass}/`, out, where);
      continue;
    }
    // Keras 3 by class; Keras 2.13 by name.
    const vars = h5.group(`${byClass}/vars`) ?? h5.group(`${prefix}_layer_checkpoint_dependencies/${layer.name}/vars`);
    if (!vars) continue; // layers without variables (ReLU, pooling, …) have none, or an empty group
    const indices = vars
      .keys()
      .filter((key) => /^\d+$/.test(key))
      .map(Number)
      .sort((a, b) => a - b);
    const keys = variableKeys(layer.className, layer.config, indices.length);
    indices.forEach((index, i) => {
      const dataset = vars.dataset(String(index));
      if (!dataset) throw new UserError(`variable ${index} of layer "${layer.name}" (${vars.path}) is not a dataset`, where);
      out.set(`${layer.name}/${keys[i]}`, { shape: dataset.shape, data: dataset.floats() });
    });
  }
}

interface LayerEntry {
  className: string;
  name: string;
  config: Record<string, unknown>;
}

function layerList(model: { class_name: string; config: unknown }): LayerEntry[] {
  const config = model.config;
  const raw = Array.isArray(config) ? config : isObject(config) && Array.isArray(config.layers) ? config.layers : [];
  return raw.filter(isObject).map((l) => {
    const layerConfig = isObject(l.config) ? l.config : {};
    return {
      className: typeof l.class_name === 'string' ? l.class_name : '',
      name: typeof layerConfig.name === 'string' ? layerConfig.name : typeof l.name === 'string' ? l.name : '',
      config: layerConfig,
    };
  });
}

// ---- legacy .h5 ---------------------------------------------------------------------------------------

function readLegacyH5(bytes: Uint8Array, file: string): KerasModelFile {
  const h5 = openH5(bytes, file);
  const configText = h5.attr('model_config');
  if (configText === undefined) {
    const weightsOnly = h5.attr('layer_names') !== undefined || h5.group('layers') !== undefined;
    throw new UserError(
      weightsOnly
        ? 'holds weights only (saved with save_weights), no model_config; save the whole model with model.save("m.keras") or model.save("m.h5")'
        : 'is an HDF5 file without a "model_config" attribute, not a Keras model saved with model.save("m.h5")',
      file,
    );
  }
  const text = textOf(configText);
  checkBudget('jsonBytes', text.length, 'its model_config attribute', file);
  const topology = parseTopology(text, 'its model_config attribute', file);
  const root = h5.group('model_weights');
  if (!root) throw new UserError('has a model_config but no model_weights group: the file holds no weights', file);
  const weights = new Map<string, KerasWeight>();
  const layerNames = stringList(root.attr('layer_names'));
  for (const layerName of layerNames) {
    const group = root.group(layerName);
    if (!group) throw new UserError(`lists layer "${layerName}" in model_weights but has no group for it`, file);
    for (const weightName of stringList(group.attr('weight_names'))) {
      const dataset = group.dataset(weightName);
      if (!dataset) throw new UserError(`lists weight "${weightName}" of layer "${layerName}" but has no dataset for it`, file);
      // "dense/kernel:0" (Keras 2) or "kernel" (Keras 3): the weights front end keys on the last two segments.
      out(weights, `${layerName}/${weightName.replace(/:\d+$/, '')}`, { shape: dataset.shape, data: dataset.floats() });
    }
  }
  const version = textOf(h5.attr('keras_version') ?? '');
  return { topology, weights, format: 'h5', notes: version ? [`saved by Keras ${cutMiddle(version, 40, 10)}`] : [] };
}

function out(weights: Map<string, KerasWeight>, name: string, w: KerasWeight): void {
  // Keras 2 nests the layer name again ("dense/dense/kernel"); keep "<layer>/<key>" as the name.
  const segments = name.split('/');
  weights.set(segments.length > 2 ? segments.slice(-2).join('/') : name, w);
}

function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (Array.isArray(v) && v.length === 1) return textOf(v[0]);
  return String(v);
}

/** A list attribute of names. Keras writes them as fixed-length byte strings (numpy "S"), which come
 *  back padded to the longest one: the padding is dropped. */
function stringList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const unpad = (s: string) => s.replace(/[\0 ]+$/, '');
  if (typeof v === 'string') return [unpad(v)];
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<unknown>, (x) => unpad(textOf(x)));
  return [];
}

function parseTopology(text: string, what: string, file: string): { class_name: string; config: unknown } {
  const json = parseJson(text, what, file);
  if (!isObject(json) || typeof json.class_name !== 'string') {
    throw new UserError(`${what} has no "class_name": not a Keras model config`, file);
  }
  return { class_name: json.class_name, config: json.config };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
