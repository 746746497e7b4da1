/**
 * How the new-run form lays out its fields: the run's name, project and tags,
 * then the trainer flags that trainer/flags.ts marks for the form, in its
 * groups and order (checkboxes after the inputs of a group).
 */
import { FORM_FLAG_NAMES, FORM_GROUPS, flagSpec, type FlagSpec, type FormFlagName } from "@/trainer/flags";

export type FieldKind = "text" | "number" | "checkbox" | "select" | "prompts";

export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  hint?: string;
  options?: readonly string[];
  placeholder?: string;
}

export interface FieldGroup {
  title: string;
  fields: FieldSpec[];
}

const RUN_GROUP: FieldGroup = {
  title: "Run",
  fields: [
    { name: "name", label: "Run name", kind: "text", placeholder: "optional, e.g. naruto-lr1e-5" },
    { name: "project", label: "Project", kind: "text" },
    { name: "tags", label: "Tags", kind: "text", hint: "Comma separated.", placeholder: "baseline, sd15" },
  ],
};

/** Whole numbers get a numeric keyboard; floats stay text so 1e-5 can be typed. */
function fieldKind(spec: FlagSpec): FieldKind {
  if (spec.type === "bool") return "checkbox";
  if (spec.type === "strs") return "prompts";
  if (spec.choices) return "select";
  return spec.type === "int" ? "number" : "text";
}

function flagField(name: FormFlagName): FieldSpec {
  const spec = flagSpec(name);
  const { label, hint, placeholder } = spec.form!;
  return { name, label: label ?? name, kind: fieldKind(spec), hint, placeholder, options: spec.choices };
}

export function formGroups(): FieldGroup[] {
  return [
    RUN_GROUP,
    ...FORM_GROUPS.map((title) => {
      const inGroup = FORM_FLAG_NAMES.filter((n) => flagSpec(n).form!.group === title).map(flagField);
      return { title, fields: [...inGroup.filter((f) => f.kind !== "checkbox"), ...inGroup.filter((f) => f.kind === "checkbox")] };
    }),
  ];
}
