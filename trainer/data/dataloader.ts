/**
 * Batches of preprocessed examples, reshuffled every epoch like a seeded
 * torch DataLoader (shuffle=True, drop_last=False). Each epoch's order and
 * augmentations come from a generator seeded by (seed, epoch), so a resumed
 * run sees the same epochs as an uninterrupted one. The next batch decodes
 * while the current one trains.
 */
import type { ImageCaptionDataset } from "./dataset";
import { Rng } from "./rng";
import { drawAugmentation, transformImage, type TransformOptions } from "./transforms";

export interface Batch {
  /** NHWC [size, resolution, resolution, 3], float32 in [-1, 1]. */
  pixelValues: Float32Array;
  captions: string[];
  size: number;
}

export function epochRng(seed: number, epoch: number): Rng {
  return new Rng((seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
}

export class DataLoader {
  constructor(
    private readonly dataset: ImageCaptionDataset,
    private readonly transform: TransformOptions,
    readonly batchSize: number,
    private readonly seed: number,
  ) {}

  /** Batches per epoch; the last one may be short. */
  get length(): number {
    return Math.ceil(this.dataset.examples.length / this.batchSize);
  }

  private prepare(indices: number[], rng: Rng): Promise<Batch> {
    const random = (): number => rng.random();
    // Every random draw happens here, synchronously and in order; only decoding is concurrent.
    const plans = indices.map((i) => {
      const example = this.dataset.examples[i];
      const aug = drawAugmentation(random, this.transform);
      const c = example.caption;
      const caption = typeof c === "string" ? c : c[rng.int(0, c.length)];
      return { example, aug, caption };
    });
    const pixels = this.transform.resolution * this.transform.resolution * 3;
    return Promise.all(plans.map(async (p) => transformImage(await p.example.loadImage(), this.transform, p.aug))).then(
      (images) => {
        const pixelValues = new Float32Array(images.length * pixels);
        images.forEach((img, k) => pixelValues.set(img, k * pixels));
        return { pixelValues, captions: plans.map((p) => p.caption), size: images.length };
      },
    );
  }

  async *epoch(epoch: number): AsyncGenerator<Batch> {
    const rng = epochRng(this.seed, epoch);
    const order = rng.permutation(this.dataset.examples.length);
    const batchIndices = (b: number): number[] => order.slice(b * this.batchSize, (b + 1) * this.batchSize);
    let next: Promise<Batch> | null = this.length > 0 ? this.prepare(batchIndices(0), rng) : null;
    for (let b = 0; b < this.length; b++) {
      const current = next!;
      next = b + 1 < this.length ? this.prepare(batchIndices(b + 1), rng) : null;
      next?.catch(() => undefined); // surfaced when awaited on the next iteration
      yield await current;
    }
  }
}
