import * as tf from "@tensorflow/tfjs";
import sharp from "sharp";

/**
 * Converts an NHWC image in [0, 1] to 8-bit RGB like diffusers' numpy_to_pil:
 * (x * 255).round() (half to even), so a PNG holds what diffusers would save.
 */
export async function toUint8Rgb(image: tf.Tensor3D | tf.Tensor4D): Promise<{ pixels: Uint8Array; height: number; width: number }> {
  const hwc = image.rank === 4 ? image.shape.slice(1) : image.shape;
  if (image.rank === 4 && image.shape[0] !== 1) throw new Error(`toUint8Rgb: expected one image, got a batch of ${image.shape[0]}`);
  const [height, width, channels] = hwc as [number, number, number];
  if (channels !== 3) throw new Error(`toUint8Rgb: expected 3 channels (RGB), got ${channels}`);
  const scaled = tf.tidy(() => tf.round(tf.mul(tf.clipByValue(image, 0, 1), 255)));
  const values = await scaled.data();
  scaled.dispose();
  return { pixels: Uint8Array.from(values), height, width };
}

/** PNG bytes of an NHWC [1, H, W, 3] (or HWC) image in [0, 1]. */
export async function encodePng(image: tf.Tensor3D | tf.Tensor4D): Promise<Buffer> {
  const { pixels, height, width } = await toUint8Rgb(image);
  return sharp(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength), { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}
