"use client";
/**
 * One run's validation images: prompts in rows, epochs in columns, the
 * selected epoch highlighted (or shown alone, larger). Clicking an image
 * enlarges it.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { LiveImage } from "@/lib/protocol";
import { buildImageGrids, cellKey, type ImageGrid } from "@/lib/charts/image-grid";
import { withShare } from "@/lib/share/with-share";
import { EpochSlider } from "./epoch-slider";
import { Lightbox } from "./lightbox";
import styles from "./images.module.css";

export interface ImagesPanelProps {
  images: LiveImage[];
  share: string | null;
  /** Selected epoch; null selects the latest. */
  epoch: number | null;
  onEpoch: (epoch: number) => void;
  emptyState: ReactNode;
}

export function ImagesPanel({ images, share, epoch, onEpoch, emptyState }: ImagesPanelProps) {
  const grids = useMemo(() => buildImageGrids(images), [images]);
  const epochs = useMemo(() => [...new Set(grids.flatMap((g) => g.epochs))].sort((a, b) => a - b), [grids]);
  const [single, setSingle] = useState(false);
  const [open, setOpen] = useState<LiveImage | null>(null);
  if (!grids.length) return <>{emptyState}</>;
  const selected = epoch !== null && epochs.includes(epoch) ? epoch : epochs[epochs.length - 1];
  return (
    <section aria-label="Images">
      <div className={styles.toolbar}>
        <EpochSlider epochs={epochs} value={selected} onChange={onEpoch} />
        <label>
          <input type="checkbox" checked={single} onChange={(e) => setSingle(e.target.checked)} /> Selected epoch only
        </label>
      </div>
      {grids.map((grid) => (
        <GridTable key={grid.key} grid={grid} selected={selected} single={single} share={share} onOpen={setOpen} showKey={grids.length > 1} />
      ))}
      {open && <Lightbox image={open} share={share} onClose={() => setOpen(null)} />}
    </section>
  );
}

function GridTable({
  grid,
  selected,
  single,
  share,
  onOpen,
  showKey,
}: {
  grid: ImageGrid;
  selected: number;
  single: boolean;
  share: string | null;
  onOpen: (i: LiveImage) => void;
  showKey: boolean;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const columns = single ? grid.epochs.filter((e) => e === selected) : grid.epochs;
  // Keep the highlighted column in view as the slider moves.
  useEffect(() => {
    scroller.current?.querySelector<HTMLElement>(`[data-epoch="${selected}"]`)?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }, [selected, single]);
  return (
    <div className={styles.gridBlock}>
      {showKey && <h3 className={styles.gridKey}>{grid.key}</h3>}
      <div ref={scroller} className={styles.scroller}>
        <table className={`${styles.grid} ${single ? styles.single : ""}`} data-testid={`image-grid-${grid.key}`}>
          <thead>
            <tr>
              <th scope="col" className={styles.promptHead}>
                Prompt
              </th>
              {columns.map((e) => (
                <th key={e} scope="col" data-epoch={e} className={e === selected ? styles.selected : undefined}>
                  epoch {e}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {grid.rows.map((row) => (
              <tr key={row.index}>
                <th scope="row" className={styles.prompt}>
                  <span className={styles.meta}>{row.index}</span> {row.prompt}
                </th>
                {columns.map((e) => {
                  const image = grid.cells.get(cellKey(row.index, e));
                  return (
                    <td key={e} className={e === selected ? styles.selected : undefined}>
                      {image ? <Thumb image={image} share={share} onOpen={onOpen} /> : <span className={styles.missing}>—</span>}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function Thumb({ image, share, onOpen }: { image: LiveImage; share: string | null; onOpen: (i: LiveImage) => void }) {
  return (
    <button type="button" className={styles.thumb} onClick={() => onOpen(image)} title={`${image.caption ?? image.key} — step ${image.step}`}>
      {/* eslint-disable-next-line @next/next/no-img-element */}
      <img src={withShare(image.url, share)} alt={image.caption ?? image.key} loading="lazy" width={image.width} height={image.height} />
    </button>
  );
}
