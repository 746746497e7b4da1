"use client";
/**
 * An enlarged image with its caption, step and epoch; Escape or a click outside
 * closes it. Small images (a 64 px validation image) are scaled up by a whole
 * factor to at least ENLARGED_MIN_PX with hard pixel edges, never shown smaller than their thumbnail.
 */
import { useEffect, useRef } from "react";
import type { LiveImage } from "@/lib/protocol/wire";
import { withShare } from "@/lib/protocol/with-share";
import styles from "./images.module.css";

const ENLARGED_MIN_PX = 512;

export function Lightbox({ image, share, runLabel, onClose }: { image: LiveImage; share: string | null; runLabel?: string; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const scale = Math.max(1, Math.floor(ENLARGED_MIN_PX / Math.max(image.width, image.height, 1)));
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className={styles.lightbox}
      aria-label="Enlarged image"
      onClose={onClose}
      onClick={(e) => e.target === ref.current && onClose()}
    >
      <figure>
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img
          src={withShare(image.url, share)}
          alt={image.caption ?? image.key}
          width={image.width * scale}
          height={image.height * scale}
          style={scale > 1 ? { imageRendering: "pixelated" } : undefined}
        />
        <figcaption>
          {runLabel && <strong>{runLabel} · </strong>}
          <span data-testid="lightbox-caption">{image.caption ?? "(no caption)"}</span>
          <span className={styles.meta}>
            step {image.step}
            {image.epoch !== null && ` · epoch ${image.epoch}`} · {image.key} · {image.width}×{image.height}
          </span>
        </figcaption>
      </figure>
      <button type="button" className={styles.close} onClick={onClose} aria-label="Close">
        ×
      </button>
    </dialog>
  );
}
