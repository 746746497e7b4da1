"use client";
/** Images that are not an epoch series (the server's samples): newest first, each with its caption; a click enlarges one. */
import { useState } from "react";
import type { LiveImage } from "@/lib/protocol/wire";
import { Thumb } from "./thumb";
import { Lightbox } from "./lightbox";
import styles from "./images.module.css";

export function SampleGallery({ samples, share }: { samples: LiveImage[]; share: string | null }) {
  const [open, setOpen] = useState<LiveImage | null>(null);
  const newestFirst = [...samples].sort((a, b) => b.step - a.step || b.index - a.index);
  return (
    <div className={styles.gallery} data-testid="samples">
      {newestFirst.map((image) => (
        <figure key={image.id} className={styles.sample}>
          <Thumb image={image} share={share} onOpen={setOpen} />
          <figcaption className="small">{image.caption}</figcaption>
        </figure>
      ))}
      {open && <Lightbox image={open} share={share} onClose={() => setOpen(null)} />}
    </div>
  );
}
