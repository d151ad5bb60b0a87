// How an image becomes the model input: the names a user picks (setting, CLI flag, model card).

/**
 * - `none`: convert to the model's channels (grey replicated to R, G, B; colour to ITU-R 601 luma) and
 *   resize as torchvision's eval transform does (image/resizeForModel.ts: aspect kept and centre-cropped,
 *   or stretched when the card says so).
 * - `fit`: the MNIST procedure (image/mnistFit.ts).
 * - `auto`: `fit` for grey 28×28-input models given an image that does not already look like model input
 *   (model-sized, dark background), e.g. a photo of a digit on white paper; `none` for everything else.
 */
export type PreprocessMode = 'auto' | 'fit' | 'none';

export const PREPROCESS_MODES: readonly PreprocessMode[] = ['auto', 'fit', 'none'];

/** An image of another size than the model's: `crop` keeps the aspect and centre-crops, `stretch` scales each axis. */
export type ResizeMode = 'crop' | 'stretch';
