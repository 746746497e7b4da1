"use client";
/**
 * One run's images, one series at a time (the key chooser; the validation grid
 * first): prompts in rows, epochs in columns, the selected epoch highlighted
 * (or shown alone, larger), rows narrowed by a prompt filter. The server's
 * samples are no epoch series: they show as a gallery beside the grid, and
 * never join its epoch slider. Clicking an image enlarges it.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { LiveImage } from "@/lib/protocol/wire";
import { activeImageKey, buildImageGrids, cellKey, matchesPromptFilter, type ImageGrid } from "@/lib/browser/charts/image-grid";
import { SAMPLES_KEY } from "@/lib/protocol/wire";
import { EpochSlider } from "./epoch-slider";
import { ImageViewControls } from "./image-view-controls";
import { Lightbox } from "./lightbox";
import { SampleGallery } from "./sample-gallery";
import { Thumb } from "./thumb";
import styles from "./images.module.css";

export interface ImagesPanelProps {
  images: LiveImage[];
  share: string | null;
  /** Selected epoch; null selects the latest. */
  epoch: number | null;
  /** Chosen image key; "" = the default. */
  imageKey: string;
  promptFilter: string;
  onChange: (patch: { epoch?: number | null; images?: string; prompt?: string }) => void;
  emptyState: ReactNode;
}

export function ImagesPanel({ images, share, epoch, imageKey, promptFilter, onChange, emptyState }: ImagesPanelProps) {
  const grids = useMemo(() => buildImageGrids(images), [images]);
  const [single, setSingle] = useState(false);
  const [open, setOpen] = useState<LiveImage | null>(null);
  const keys = grids.map((g) => g.key);
  const active = activeImageKey(keys, imageKey);
  const grid = grids.find((g) => g.key === active);
  if (!grid) return <>{emptyState}</>;
  const samples = images.filter((i) => i.key === SAMPLES_KEY);
  const epochs = grid.epochs;
  const selected = epoch !== null && epochs.includes(epoch) ? epoch : epochs[epochs.length - 1];
  const isGallery = grid.key === SAMPLES_KEY;
  return (
    <section aria-label="Images">
      <div className={styles.toolbar}>
        <ImageViewControls keys={keys} activeKey={grid.key} promptFilter={promptFilter} onChange={onChange} />
        {!isGallery && (
          <>
            <EpochSlider epochs={epochs} value={selected} onChange={(e) => onChange({ epoch: e })} />
            <label>
              <input type="checkbox" checked={single} onChange={(e) => setSingle(e.target.checked)} /> Selected epoch only
            </label>
          </>
        )}
      </div>
      {isGallery ? (
        <SampleGallery samples={samples.filter((i) => matchesPromptFilter(i.caption ?? "", promptFilter))} share={share} />
      ) : (
        <GridTable grid={grid} selected={selected} single={single} share={share} promptFilter={promptFilter} onOpen={setOpen} />
      )}
      {!isGallery && samples.length > 0 && (
        <div className={styles.gridBlock}>
          <h3 className={styles.gridKey}>Samples from the final model</h3>
          <SampleGallery samples={samples} share={share} />
        </div>
      )}
      {open && <Lightbox image={open} share={share} onClose={() => setOpen(null)} />}
    </section>
  );
}

function GridTable({
  grid,
  selected,
  single,
  share,
  promptFilter,
  onOpen,
}: {
  grid: ImageGrid;
  selected: number;
  single: boolean;
  share: string | null;
  promptFilter: string;
  onOpen: (i: LiveImage) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const columns = single ? grid.epochs.filter((e) => e === selected) : grid.epochs;
  // Keep the highlighted column in view as the slider moves.
  useEffect(() => {
    scroller.current?.querySelector<HTMLElement>(`[data-epoch="${selected}"]`)?.scrollIntoView({ block: "nearest", inline: "nearest" });
  }, [selected, single]);
  return (
    <div className={styles.gridBlock}>
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
            {grid.rows.filter((row) => matchesPromptFilter(row.prompt, promptFilter)).map((row) => (
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
