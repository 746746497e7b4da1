"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button";
import { ErrorBanner } from "@/components/ui/error-banner";
import { ApiError, apiFetch } from "@/lib/browser/client/api";
import { formGroups, type FieldSpec } from "./form-fields";

type Values = Record<string, string | boolean>;

export interface PresetOption {
  id: string;
  label: string;
  description: string;
  values: Values;
}

/** A place a run can go: this server, any worker, or one worker (value "worker:<id>"). */
export interface PlaceOption {
  value: string;
  label: string;
}

/** The new-run form: a preset fills the fields; the server validates and answers with one error per field. */
export function NewRunForm({
  presets,
  initialPreset,
  places,
}: {
  presets: PresetOption[];
  initialPreset: string;
  places: PlaceOption[];
}) {
  const router = useRouter();
  const start = presets.find((p) => p.id === initialPreset) ?? presets[0];
  const [preset, setPreset] = useState(start.id);
  const [values, setValues] = useState<Values>({ name: "", project: "sd-finetune", tags: "", ...start.values });
  const [runsOn, setRunsOn] = useState(places[0]?.value ?? "server");
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function choosePreset(id: string) {
    const p = presets.find((x) => x.id === id);
    if (!p) return;
    setPreset(id);
    setValues((v) => ({ name: v.name, project: v.project, tags: v.tags, ...p.values }));
    setFields({});
  }
  function set(name: string, value: string | boolean) {
    setValues((v) => ({ ...v, [name]: value }));
    setFields(({ [name]: _gone, ...rest }) => rest);
  }

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await apiFetch<{ id: string; url: string }>("/api/launches", { method: "POST", json: { ...values, preset, runs_on: runsOn } });
      router.push(res.url);
    } catch (err) {
      if (err instanceof ApiError && err.fields) {
        setFields(err.fields);
        setError(`Please fix ${Object.keys(err.fields).length === 1 ? "the field" : `the ${Object.keys(err.fields).length} fields`} marked below.`);
      } else {
        setError(err instanceof Error ? err.message : String(err));
      }
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="stack" aria-label="New run">
      <fieldset className="row-wrap" style={{ border: 0, padding: 0, margin: 0 }}>
        <legend className="sr-only">Preset</legend>
        {presets.map((p) => (
          <label key={p.id} className="panel" style={{ padding: "8px 12px", cursor: "pointer", flex: "1 1 280px", borderColor: p.id === preset ? "var(--accent)" : undefined }}>
            <span className="row">
              <input type="radio" name="preset" value={p.id} checked={p.id === preset} onChange={() => choosePreset(p.id)} />
              <strong>{p.label}</strong>
            </span>
            <span className="muted small" style={{ display: "block", fontWeight: 400, marginTop: 4 }}>
              {p.description}
            </span>
          </label>
        ))}
      </fieldset>

      <ErrorBanner error={error} />

      {formGroups().map((g) => (
        <section key={g.title} className="form-section">
          <h2>{g.title}</h2>
          <div className="form-grid" style={g.title === "Validation" ? { gridTemplateColumns: "3fr 1fr" } : undefined}>
            {g.fields.map((f) => (
              <Field key={f.name} spec={f} value={values[f.name] ?? ""} error={fields[f.name]} onChange={(v) => set(f.name, v)} />
            ))}
          </div>
        </section>
      ))}
      {fields.form ? <div className="field-error">{fields.form}</div> : null}

      <div className="row">
        <div className="field">
          <label htmlFor="field-runs_on">Runs on</label>
          <select
            id="field-runs_on"
            name="runs_on"
            value={runsOn}
            aria-invalid={fields.runs_on ? true : undefined}
            onChange={(e) => {
              setRunsOn(e.target.value);
              setFields(({ runs_on: _gone, ...rest }) => rest);
            }}
          >
            {places.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
          </select>
          {fields.runs_on ? (
            <span className="field-error" role="alert">
              {fields.runs_on}
            </span>
          ) : null}
        </div>
        <Button type="submit" variant="primary" busy={busy}>
          Start run
        </Button>
        <span className="muted small">Runs wait in a queue while the chosen machine's GPUs (or CPU) are busy.</span>
      </div>
    </form>
  );
}

function Field({ spec, value, error, onChange }: { spec: FieldSpec; value: string | boolean; error?: string; onChange: (v: string | boolean) => void }) {
  const id = `field-${spec.name}`;
  const describedBy = [error ? `${id}-error` : "", spec.hint ? `${id}-hint` : ""].filter(Boolean).join(" ") || undefined;
  const common = { id, name: spec.name, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy } as const;
  let control;
  if (spec.kind === "checkbox") {
    return (
      <div className="field">
        <label className="field field-check" htmlFor={id}>
          <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.target.checked)} />
          <span className="mono">{spec.label}</span>
        </label>
        {error ? (
          <span className="field-error" id={`${id}-error`}>
            {error}
          </span>
        ) : null}
      </div>
    );
  }
  if (spec.kind === "select") {
    control = (
      <select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)}>
        {spec.options?.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  } else if (spec.kind === "prompts") {
    control = <textarea {...common} rows={5} value={String(value)} onChange={(e) => onChange(e.target.value)} />;
  } else {
    control = (
      <input
        type="text"
        inputMode={spec.kind === "number" ? "numeric" : undefined}
        {...common}
        placeholder={spec.placeholder}
        value={String(value)}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <div className="field">
      <label htmlFor={id} className={spec.label.includes("_") ? "mono" : undefined}>
        {spec.label}
      </label>
      {control}
      {error ? (
        <span className="field-error" id={`${id}-error`} role="alert">
          {error}
        </span>
      ) : null}
      {spec.hint ? (
        <span className="field-hint" id={`${id}-hint`}>
          {spec.hint}
        </span>
      ) : null}
    </div>
  );
}
