"use client";
/**
 * Notes and tags of a run. Signed-in users edit them (PATCH /api/runs/:id);
 * through a share link they are shown read-only. Server errors are shown.
 */
import { useState } from "react";
import { apiFetch } from "@/lib/browser/client/api";
import { Button } from "@/components/ui/button";
import { ErrorBanner } from "@/components/ui/error-banner";
import { useAction } from "@/components/ui/use-action";
import styles from "./run.module.css";

export function NotesTagsEditor({ runId, notes, tags, editable }: { runId: string; notes: string; tags: string[]; editable: boolean }) {
  const [saved, setSaved] = useState({ notes, tags });
  const [draftNotes, setDraftNotes] = useState(notes);
  const [tagDraft, setTagDraft] = useState("");
  const [editingNotes, setEditingNotes] = useState(false);
  const { busy, error, setError, run } = useAction();

  const save = (patch: { notes?: string; tags?: string[] }) =>
    run(async () => {
      const r = await apiFetch<{ notes: string; tags: string[] }>(`/api/runs/${runId}`, { method: "PATCH", json: patch });
      setSaved({ notes: r.notes, tags: r.tags });
    });

  const addTag = async () => {
    const tag = tagDraft.trim();
    if (!tag || saved.tags.includes(tag)) return setTagDraft("");
    if (await save({ tags: [...saved.tags, tag] })) setTagDraft("");
  };

  return (
    <div className={styles.notes}>
      <ErrorBanner error={error} onDismiss={() => setError(null)} />
      <div className={styles.tags} data-testid="run-tags">
        {saved.tags.length === 0 && !editable && <span className="muted">No tags.</span>}
        {saved.tags.map((t) => (
          <span key={t} className={styles.tag}>
            {t}
            {editable && (
              <button type="button" aria-label={`Remove tag ${t}`} disabled={busy} onClick={() => void save({ tags: saved.tags.filter((x) => x !== t) })}>
                ×
              </button>
            )}
          </span>
        ))}
        {editable && (
          <form
            className={styles.tagForm}
            onSubmit={(e) => {
              e.preventDefault();
              void addTag();
            }}
          >
            <input value={tagDraft} onChange={(e) => setTagDraft(e.target.value)} placeholder="Add a tag" aria-label="New tag" maxLength={64} />
            <Button type="submit" size="sm" disabled={busy || !tagDraft.trim()}>
              Add
            </Button>
          </form>
        )}
      </div>
      {editingNotes ? (
        <form
          onSubmit={async (e) => {
            e.preventDefault();
            if (await save({ notes: draftNotes })) setEditingNotes(false);
          }}
        >
          <textarea className={styles.notesInput} value={draftNotes} onChange={(e) => setDraftNotes(e.target.value)} rows={5} aria-label="Notes" autoFocus />
          <div className={styles.row}>
            <Button type="submit" variant="primary" size="sm" busy={busy}>
              Save notes
            </Button>
            <Button
              size="sm"
              variant="ghost"
              onClick={() => {
                setDraftNotes(saved.notes);
                setEditingNotes(false);
              }}
            >
              Cancel
            </Button>
          </div>
        </form>
      ) : (
        <div className={styles.row}>
          <p className={styles.notesText} data-testid="run-notes">
            {saved.notes || <span className="muted">{editable ? "No notes yet: write what this run tries." : "No notes."}</span>}
          </p>
          {editable && (
            <Button size="sm" variant="ghost" onClick={() => setEditingNotes(true)}>
              Edit notes
            </Button>
          )}
        </div>
      )}
    </div>
  );
}
