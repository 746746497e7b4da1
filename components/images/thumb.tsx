"use client";
/** A clickable thumbnail of a run image. */
import type { LiveImage } from "@/lib/protocol/wire";
import { withShare } from "@/lib/protocol/with-share";
import styles from "./images.module.css";

export function Thumb({ image, share, onOpen }: { image: LiveImage; share: string | null; onOpen: (i: LiveImage) => void }) {
  return (
    <button type="button" className={styles.thumb} onClick={() => onOpen(image)} title={`${image.caption ?? image.key} — step ${image.step}`}>
      {/* eslint-disable-next-line @next/next/no-img-element */}
      <img src={withShare(image.url, share)} alt={image.caption ?? image.key} loading="lazy" width={image.width} height={image.height} />
    </button>
  );
}
