// The custom fields of a ticket type's template, as form values and back: used by the
// dynamic field form (DynamicFieldForm.vue) in the board, the workspace and the portal.

export type FieldKind = 'TEXT' | 'LONG_TEXT' | 'NUMBER' | 'DATE' | 'SINGLE_SELECT' | 'MULTI_SELECT' | 'CHECKBOX' | 'USER' | 'ORDER_REF';

/** What the form needs of a TicketField (select these in your query). */
export interface FieldDef {
  key: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description?: string | null;
  options?: readonly { value: string; label: string }[] | null;
  maxLength?: number | null;
}

export type FieldFormValue = string | number | boolean | string[] | null;
export type FieldValues = Record<string, FieldFormValue>;

/** A choice for USER fields: `value` is the user's raw id (what the API stores). */
export interface UserChoice {
  value: string;
  label: string;
  /** Shown after the name, e.g. the role or the team. */
  hint?: string;
}

export function emptyValue(kind: FieldKind): FieldFormValue {
  switch (kind) {
    case 'MULTI_SELECT':
      return [];
    case 'CHECKBOX':
      return false;
    case 'TEXT':
    case 'LONG_TEXT':
    case 'ORDER_REF':
      return '';
    default:
      return null;
  }
}

/** Form values for a template, filled from existing values (Ticket.fieldValues) if given. */
export function initialValues(fields: readonly FieldDef[], existing: readonly { key: string; value: unknown }[] = []): FieldValues {
  const byKey = new Map(existing.map((v) => [v.key, v.value]));
  const out: FieldValues = {};
  for (const f of fields) {
    const v = byKey.get(f.key);
    out[f.key] = v === undefined || v === null ? emptyValue(f.kind) : (structuredCloneSafe(v) as FieldFormValue);
  }
  return out;
}

function structuredCloneSafe(v: unknown): unknown {
  return Array.isArray(v) ? [...v] : v;
}

export function isEmpty(v: unknown): boolean {
  return v == null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
}

/**
 * The `fieldValues` input for createTicket / updateTicketFields. Empty values are sent as
 * null (clears an optional field, and lets the server say "is required" for a required
 * one); CHECKBOX false is a value. `keys` limits the output (e.g. the fields you changed).
 */
export function toFieldValueInputs(fields: readonly FieldDef[], values: FieldValues, keys?: readonly string[]): { key: string; value: unknown }[] {
  return fields
    .filter((f) => !keys || keys.includes(f.key))
    .map((f) => {
      const v = values[f.key];
      if (f.kind === 'CHECKBOX') return { key: f.key, value: v === true };
      if (isEmpty(v)) return { key: f.key, value: null };
      if (typeof v === 'string' && f.kind !== 'LONG_TEXT') return { key: f.key, value: v.trim() };
      return { key: f.key, value: v };
    });
}

/** Keys whose value differs between two value sets. */
export function changedKeys(fields: readonly FieldDef[], before: FieldValues, after: FieldValues): string[] {
  const norm = (v: FieldFormValue | undefined) => JSON.stringify(isEmpty(v) ? null : v);
  return fields.filter((f) => norm(before[f.key]) !== norm(after[f.key])).map((f) => f.key);
}

/**
 * Splits ValidationFailed.fieldErrors into custom-field errors by key (paths like
 * `fieldValues.order_no`, or `values.order_no` for updateTicketFields) and the rest by path.
 */
export function splitFieldErrors(errors: readonly { field: string; message: string }[], prefixes: readonly string[] = ['fieldValues', 'values']): {
  fields: Record<string, string>;
  other: Record<string, string>;
} {
  const fields: Record<string, string> = {};
  const other: Record<string, string> = {};
  for (const e of errors) {
    const prefix = prefixes.find((p) => e.field.startsWith(`${p}.`));
    if (prefix) fields[e.field.slice(prefix.length + 1)] ??= e.message;
    else other[e.field] ??= e.message;
  }
  return { fields, other };
}

/** A stored value as text (read-only views, the timeline). */
export function displayValue(f: Pick<FieldDef, 'kind' | 'options'>, value: unknown, users: ReadonlyMap<string, string> = new Map(), yesNo: [string, string] = ['是', '否']): string {
  if (isEmpty(value)) return '—';
  const label = (v: string) => f.options?.find((o) => o.value === v)?.label ?? v;
  switch (f.kind) {
    case 'SINGLE_SELECT':
      return label(String(value));
    case 'MULTI_SELECT':
      return (Array.isArray(value) ? value : [value]).map((v) => label(String(v))).join('、');
    case 'CHECKBOX':
      return value === true ? yesNo[0] : yesNo[1];
    case 'USER':
      return users.get(String(value)) ?? String(value);
    default:
      return String(value);
  }
}

const MESSAGES: [RegExp, string][] = [
  [/^is required$/, 'required'],
  [/^must be a number$/, 'number'],
  [/^must be a date as YYYY-MM-DD$/, 'date'],
  [/^is not a real date$/, 'date'],
  [/^is not one of the options$/, 'option'],
  [/^must be a single line$/, 'singleLine'],
  [/^must be an order or asset number/, 'orderRef'],
  [/^must be a user id$/, 'user'],
  [/^no such internal user$/, 'user'],
  [/^at most (\d+) characters$/, 'maxLength'],
];

/** Server validation messages (English) in the UI's language, for the known shapes. */
export function localizeFieldMessage(message: string, t: (key: string, named?: Record<string, unknown>) => string): string {
  for (const [re, key] of MESSAGES) {
    const m = re.exec(message);
    if (m) return t(`ticket.fieldErrors.${key}`, { n: m[1] });
  }
  return message;
}
