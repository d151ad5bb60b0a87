// The `concepts` engine job: a node's channel relevances for each image, with each channel's peak and
// reference crop, and the conditional heatmaps asked for (conditionalRelevance.ts).
import { networkInputBounds } from '../model/modelCard';
import { parseMethodSpec } from '../methods/methodRegistry';
import { getModel } from '../jobs/modelCache';
import { prepareSources } from '../jobs/prepareSources';
import type { BackendInfo } from '../../protocol/model';
import type { ConceptItem, ConceptJob, ConceptLayer, ConceptResult } from '../../protocol/concepts';
import { conceptNode } from './conceptNodes';
import { checkConceptMethod, conceptRelevance } from './conditionalRelevance';
import { receptiveField, referenceCrop } from './receptiveField';

export async function runConcepts(job: ConceptJob, backend: BackendInfo): Promise<ConceptResult> {
  const model = await getModel(job.model);
  const { card, network } = model;
  const spec = parseMethodSpec(job.method);
  checkConceptMethod(spec);
  const node = conceptNode(network, job.layer);
  const field = receptiveField(network, node.index);
  const layer: ConceptLayer = {
    name: node.node.name,
    kind: node.node.kind,
    shape: node.node.shape,
    channels: node.channels,
    positions: node.positions,
    height: field.height,
    width: field.width,
  };
  const { images, inputs, inputIndex } = await prepareSources(job.images, card, job.preprocess);
  if (job.pixels === false) for (const image of images) image.pixels = new Uint8Array(0);
  const targets = job.targets && inputIndex.map((i) => job.targets?.[i] ?? null);
  const asked = job.conditional;
  const conditional = asked && ('channels' in asked ? inputIndex.map((i) => asked.channels[i] ?? []) : { top: asked.top });
  const rows = conceptRelevance(network, card.inputShape, { images: inputs, spec, layer: node, targets, bounds: networkInputBounds(card), conditional });
  const items: ConceptItem[] = inputs.map((_, n) => {
    const peaks = rows.peaks.slice(n * node.channels, (n + 1) * node.channels);
    const crops = new Int32Array(node.channels * 4);
    peaks.forEach((peak, c) => {
      const box = referenceCrop(field, peak, card.inputShape);
      crops.set([box.x, box.y, box.width, box.height], c * 4);
    });
    return {
      image: inputIndex[n],
      target: rows.targets[n],
      predicted: rows.predicted[n],
      logit: rows.logits[n],
      channelRelevance: rows.channelRelevance.slice(n * node.channels, (n + 1) * node.channels),
      peaks,
      crops,
      conditional: rows.channels[n].map((channel, k) => ({ channel, relevance: rows.conditional[n][k], relevanceSum: sum(rows.conditional[n][k]) })),
    };
  });
  return { backend, card, layer, images, items };
}

function sum(values: Float32Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}
