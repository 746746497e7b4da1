/**
 * The seed's torchvision train transform, on sharp:
 *   Resize(resolution, BILINEAR) -> CenterCrop | RandomCrop -> RandomHorizontalFlip
 *   -> ToTensor -> Normalize([0.5], [0.5])
 * Output is HWC float32 in [-1, 1], ready to stack into an NHWC batch.
 */
import sharp from "sharp";

export interface TransformOptions {
  resolution: number;
  centerCrop: boolean;
  randomFlip: boolean;
}

/**
 * The random choices for one example, drawn up front (synchronously, in a fixed
 * order) so that decoding images in parallel cannot reorder the random stream.
 * A crop offset is `floor(u * (range + 1))`, i.e. torch.randint(0, range + 1).
 */
export interface Augmentation {
  cropU: number;
  cropV: number;
  flip: boolean;
}

export function drawAugmentation(random: () => number, opts: TransformOptions): Augmentation {
  const cropV = opts.centerCrop ? 0 : random();
  const cropU = opts.centerCrop ? 0 : random();
  const flip = opts.randomFlip ? random() < 0.5 : false;
  return { cropU, cropV, flip };
}

/** torchvision Resize(int): the shorter side becomes `size`, the longer one keeps the aspect ratio (truncated). */
export function resizedSize(width: number, height: number, size: number): { width: number; height: number } {
  if (width <= height) return { width: size, height: Math.floor((size * height) / width) };
  return { width: Math.floor((size * width) / height), height: size };
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Top-left corner of the crop: torchvision CenterCrop's rounding, or RandomCrop's uniform offset. */
export function cropOrigin(
  width: number,
  height: number,
  size: number,
  aug: Augmentation,
  centerCrop: boolean,
): { left: number; top: number } {
  if (centerCrop) return { left: roundHalfEven((width - size) / 2), top: roundHalfEven((height - size) / 2) };
  return { left: Math.floor(aug.cropU * (width - size + 1)), top: Math.floor(aug.cropV * (height - size + 1)) };
}

/** Decodes, resizes, crops, flips and normalises one image to HWC float32 in [-1, 1]. */
export async function transformImage(bytes: Uint8Array, opts: TransformOptions, aug: Augmentation): Promise<Float32Array> {
  const size = opts.resolution;
  // PIL's convert("RGB") drops alpha without compositing and ignores EXIF orientation; so does this.
  const decoded = sharp(bytes, { failOn: "none" }).removeAlpha().toColourspace("srgb");
  const { width: w0, height: h0 } = await decoded.metadata();
  if (!w0 || !h0) throw new Error("could not read the image size");
  const resized = resizedSize(w0, h0, size);
  const { left, top } = cropOrigin(resized.width, resized.height, size, aug, opts.centerCrop);
  const { data, info } = await decoded
    // Bilinear with antialiasing when shrinking (PIL's resize, which torchvision uses for PIL images);
    // no shrink-on-load, which would decode JPEGs at a reduced size first.
    .resize(resized.width, resized.height, { kernel: "linear", fit: "fill", fastShrinkOnLoad: false })
    .extract({ left, top, width: size, height: size })
    .raw({ depth: "uchar" })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== size || info.height !== size) {
    throw new Error(`expected a ${size}x${size} RGB image, got ${info.width}x${info.height}x${info.channels}`);
  }
  // The flip happens here rather than in sharp, which would mirror before cropping.
  const out = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const src = (y * size + (aug.flip ? size - 1 - x : x)) * 3;
      const dst = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) {
        // ToTensor divides by 255 in float32, then Normalize computes (x - 0.5) / 0.5.
        out[dst + c] = Math.fround(Math.fround(Math.fround(data[src + c] / 255) - 0.5) / 0.5);
      }
    }
  }
  return out;
}
