"use client";
/**
 * Images of several runs side by side: one row per prompt, matched by prompt
 * text (runs may order their prompts differently, or lack one: that cell says
 * "missing"), one column per run, all driven by one epoch slider. It opens on
 * the validation grid; the key, prompt filter and epoch live in the URL. A run
 * without an image at the slider's epoch shows its nearest earlier one,
 * labelled with its own epoch.
 */
import { useMemo, useState, type ReactNode } from "react";
import type { LiveImage } from "@/lib/protocol/wire";
import {
  activeImageKey,
  buildImageGrids,
  imageAtOrBefore,
  matchesPromptFilter,
  rowOfPrompt,
  unionEpochs,
  unionPrompts,
  type ImageGrid,
} from "@/lib/browser/charts/image-grid";
import { EpochSlider } from "@/components/images/epoch-slider";
import { ImageViewControls } from "@/components/images/image-view-controls";
import { Lightbox } from "@/components/images/lightbox";
import { Thumb } from "@/components/images/thumb";
import styles from "@/components/images/images.module.css";

export interface ImageColumn {
  id: string;
  label: string;
  color: string;
  images: LiveImage[];
}

export interface CompareImagesProps {
  columns: ImageColumn[];
  epoch: number | null;
  /** Chosen image key; "" = the default (the validation grid). */
  imageKey: string;
  promptFilter: string;
  onChange: (patch: { epoch?: number | null; images?: string; prompt?: string }) => void;
  emptyState: ReactNode;
}

export function CompareImages({ columns, epoch, imageKey, promptFilter, onChange, emptyState }: CompareImagesProps) {
  const gridsByRun = useMemo(() => columns.map((c) => buildImageGrids(c.images)), [columns]);
  const keys = useMemo(() => [...new Set(gridsByRun.flatMap((gs) => gs.map((g) => g.key)))].sort(), [gridsByRun]);
  const [open, setOpen] = useState<{ image: LiveImage; label: string } | null>(null);
  const activeKey = activeImageKey(keys, imageKey);
  if (activeKey === undefined) return <>{emptyState}</>;
  const grids: (ImageGrid | undefined)[] = gridsByRun.map((gs) => gs.find((g) => g.key === activeKey));
  const present = grids.filter((g): g is ImageGrid => !!g);
  const epochs = unionEpochs(present);
  const prompts = unionPrompts(present).filter((p) => matchesPromptFilter(p, promptFilter));
  const selected = epoch !== null && epochs.includes(epoch) ? epoch : epoch !== null ? (epochs.filter((e) => e <= epoch).at(-1) ?? epochs[0]) : epochs[epochs.length - 1];

  return (
    <section aria-label="Image comparison">
      <div className={styles.toolbar}>
        <ImageViewControls keys={keys} activeKey={activeKey} promptFilter={promptFilter} onChange={onChange} />
        <EpochSlider epochs={epochs} value={selected} onChange={(e) => onChange({ epoch: e })} />
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
            {prompts.map((prompt) => (
              <tr key={prompt}>
                <th scope="row" className={styles.prompt}>
                  {prompt}
                </th>
                {columns.map((c, i) => (
                  <CompareCell key={c.id} runId={c.id} grid={grids[i]} prompt={prompt} epoch={selected} onOpen={(image) => setOpen({ image, label: c.label })} />
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {open && <Lightbox image={open.image} share={null} runLabel={open.label} onClose={() => setOpen(null)} />}
    </section>
  );
}

/** One run's image for a prompt: at the epoch, else its nearest earlier one; "missing" when the run has no such prompt. */
function CompareCell({ runId, grid, prompt, epoch, onOpen }: { runId: string; grid: ImageGrid | undefined; prompt: string; epoch: number; onOpen: (image: LiveImage) => void }) {
  const row = grid ? rowOfPrompt(grid, prompt) : null;
  const image = grid && row ? imageAtOrBefore(grid, row.index, epoch) : null;
  return (
    <td className={styles.compareCell} data-run={runId}>
      {image ? (
        <>
          <Thumb image={image} share={null} onOpen={onOpen} />
          <span className={styles.fallback} data-testid="cell-epoch">
            {image.epoch !== epoch ? `from epoch ${image.epoch ?? image.step}` : `epoch ${epoch}`}
          </span>
        </>
      ) : row ? (
        <span className={styles.missing} title="No image at or before this epoch">
          —
        </span>
      ) : (
        <span className={styles.missing} data-testid="cell-missing" title="This run has no such prompt">
          missing
        </span>
      )}
    </td>
  );
}
