"use client";
/**
 * Validation images of several runs side by side: one row per prompt, one
 * column per run, all driven by one epoch slider. A run without images at the
 * slider's epoch shows its nearest earlier one, labelled with its own epoch.
 */
import { useMemo, useState, type ReactNode } from "react";
import type { LiveImage } from "@/lib/protocol";
import { buildImageGrids, imageAtOrBefore, unionEpochs, unionRows, type ImageGrid } from "@/lib/charts/image-grid";
import { EpochSlider } from "@/components/images/epoch-slider";
import { Lightbox } from "@/components/images/lightbox";
import { Thumb } from "@/components/images/image-grid";
import styles from "@/components/images/images.module.css";

export interface ImageColumn {
  id: string;
  label: string;
  color: string;
  images: LiveImage[];
}

export function CompareImages({ columns, epoch, onEpoch, emptyState }: { columns: ImageColumn[]; epoch: number | null; onEpoch: (e: number) => void; emptyState: ReactNode }) {
  const gridsByRun = useMemo(() => columns.map((c) => buildImageGrids(c.images)), [columns]);
  const keys = useMemo(() => [...new Set(gridsByRun.flatMap((gs) => gs.map((g) => g.key)))].sort(), [gridsByRun]);
  const [key, setKey] = useState<string | null>(null);
  const [open, setOpen] = useState<{ image: LiveImage; label: string } | null>(null);
  const activeKey = key && keys.includes(key) ? key : keys[0];
  const grids: (ImageGrid | undefined)[] = gridsByRun.map((gs) => gs.find((g) => g.key === activeKey));
  const present = grids.filter((g): g is ImageGrid => !!g);
  const epochs = unionEpochs(present);
  const rows = unionRows(present);
  if (!keys.length) return <>{emptyState}</>;
  const selected = epoch !== null && epochs.includes(epoch) ? epoch : epoch !== null ? (epochs.filter((e) => e <= epoch).at(-1) ?? epochs[0]) : epochs[epochs.length - 1];

  return (
    <section aria-label="Image comparison">
      <div className={styles.toolbar}>
        <EpochSlider epochs={epochs} value={selected} onChange={onEpoch} />
        {keys.length > 1 && (
          <label>
            Images{" "}
            <select value={activeKey} onChange={(e) => setKey(e.target.value)} aria-label="Image key">
              {keys.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
          </label>
        )}
      </div>
      <div className={styles.scroller}>
        <table className={styles.grid} data-testid="compare-images">
          <thead>
            <tr>
              <th scope="col" className={styles.promptHead}>
                Prompt
              </th>
              {columns.map((c) => (
                <th key={c.id} scope="col" style={{ borderBottom: `3px solid ${c.color}` }}>
                  <span className={styles.runLabel}>
                    <span className={styles.dot} style={{ background: c.color }} aria-hidden />
                    {c.label}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.index}>
                <th scope="row" className={styles.prompt}>
                  <span className={styles.meta}>{row.index}</span> {row.prompt}
                </th>
                {columns.map((c, i) => {
                  const grid = grids[i];
                  const image = grid ? imageAtOrBefore(grid, row.index, selected) : null;
                  return (
                    <td key={c.id} className={styles.compareCell} data-run={c.id}>
                      {image ? (
                        <>
                          <Thumb image={image} share={null} onOpen={(im) => setOpen({ image: im, label: c.label })} />
                          <span className={styles.fallback} data-testid="cell-epoch">
                            {image.epoch !== selected ? `from epoch ${image.epoch ?? image.step}` : `epoch ${selected}`}
                          </span>
                        </>
                      ) : (
                        <span className={styles.missing} title="No image at or before this epoch">
                          —
                        </span>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {open && <Lightbox image={open.image} share={null} runLabel={open.label} onClose={() => setOpen(null)} />}
    </section>
  );
}
