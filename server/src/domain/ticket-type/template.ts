// Field templates of ticket types (工单模板): what a definition may look like, and
// what a value of each kind may look like. Pure functions returning field errors,
// so the settings service, ticket creation and the editor share one set of rules.
import type { FieldError } from '../errors.ts';
import { charCount, LIMITS } from '../limits.ts';

export const FIELD_KINDS = [
  'TEXT',
  'LONG_TEXT',
  'NUMBER',
  'DATE',
  'SINGLE_SELECT',
  'MULTI_SELECT',
  'CHECKBOX',
  'USER',
  'ORDER_REF',
] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

export const FIELD_EDITORS = ['CREATOR', 'ASSIGNEE', 'MANAGER'] as const;
export type FieldEditor = (typeof FIELD_EDITORS)[number];

export interface FieldOption {
  value: string;
  label: string;
}

export interface FieldDefinition {
  key: string;
  label: string;
  description?: string | null;
  kind: FieldKind;
  required: boolean;
  customerVisible: boolean;
  editableAfterSubmit: boolean;
  editableBy: FieldEditor[];
  options?: FieldOption[] | null;
  maxLength?: number | null;
}

/** Limits that keep one template renderable and one value storable (numbers: domain/limits.ts). */
export const TEMPLATE_LIMITS = {
  maxFields: LIMITS.template.fields,
  maxOptions: LIMITS.template.options,
  keyPattern: new RegExp(`^[a-z][a-z0-9_]{0,${LIMITS.template.key - 1}}$`),
  labelMax: LIMITS.template.label,
  descriptionMax: LIMITS.template.description,
  optionValueMax: LIMITS.template.optionValue,
  optionLabelMax: LIMITS.template.optionLabel,
} as const;

const DEFAULT_MAX_LENGTH: Partial<Record<FieldKind, number>> = {
  TEXT: 200,
  LONG_TEXT: 5000,
  ORDER_REF: 64,
};
const MAX_MAX_LENGTH: Partial<Record<FieldKind, number>> = {
  TEXT: 1000,
  LONG_TEXT: 20000,
  ORDER_REF: 128,
};

export function isSelect(kind: FieldKind): boolean {
  return kind === 'SINGLE_SELECT' || kind === 'MULTI_SELECT';
}

export function effectiveMaxLength(def: Pick<FieldDefinition, 'kind' | 'maxLength'>): number | null {
  return def.maxLength ?? DEFAULT_MAX_LENGTH[def.kind] ?? null;
}

/**
 * Validates a whole template as it will be stored. `existingKinds` maps keys of fields
 * that already hold values on tickets to their kind: their kind may not change, or
 * old values would stop meaning what they meant.
 */
export function validateTemplate(
  fields: FieldDefinition[],
  existingKinds: ReadonlyMap<string, FieldKind> = new Map(),
  path = 'fields',
): FieldError[] {
  const errors: FieldError[] = [];
  const err = (i: number, field: string, message: string) =>
    errors.push({ field: `${path}.${i}.${field}`, message });

  if (fields.length > TEMPLATE_LIMITS.maxFields) {
    errors.push({ field: path, message: `at most ${TEMPLATE_LIMITS.maxFields} fields per type` });
  }
  const seen = new Map<string, number>();
  fields.forEach((f, i) => {
    if (!TEMPLATE_LIMITS.keyPattern.test(f.key)) {
      err(i, 'key', `must start with a lower-case letter and use only a-z, 0-9 and _ (max ${LIMITS.template.key})`);
    } else if (seen.has(f.key)) {
      err(i, 'key', `duplicates the key of field ${seen.get(f.key)}`);
    } else {
      seen.set(f.key, i);
    }
    const label = f.label.trim();
    if (!label) err(i, 'label', 'is required');
    else if (charCount(label) > TEMPLATE_LIMITS.labelMax) err(i, 'label', `at most ${TEMPLATE_LIMITS.labelMax} characters`);
    if (f.description && charCount(f.description.trim()) > TEMPLATE_LIMITS.descriptionMax) {
      err(i, 'description', `at most ${TEMPLATE_LIMITS.descriptionMax} characters`);
    }

    const previousKind = existingKinds.get(f.key);
    if (previousKind && previousKind !== f.kind) {
      err(i, 'kind', `cannot change from ${previousKind}: tickets hold values of this field; add a new field instead`);
    }

    if (isSelect(f.kind)) {
      const options = f.options ?? [];
      if (options.length === 0) err(i, 'options', 'a select field needs at least one option');
      if (options.length > TEMPLATE_LIMITS.maxOptions) err(i, 'options', `at most ${TEMPLATE_LIMITS.maxOptions} options`);
      const values = new Set<string>();
      options.forEach((o, j) => {
        const v = o.value.trim();
        if (!v || charCount(v) > TEMPLATE_LIMITS.optionValueMax) {
          err(i, `options.${j}.value`, `is required, at most ${TEMPLATE_LIMITS.optionValueMax} characters`);
        } else if (values.has(v)) {
          err(i, `options.${j}.value`, 'duplicates another option');
        }
        values.add(v);
        if (!o.label.trim() || charCount(o.label.trim()) > TEMPLATE_LIMITS.optionLabelMax) {
          err(i, `options.${j}.label`, `is required, at most ${TEMPLATE_LIMITS.optionLabelMax} characters`);
        }
      });
    } else if (f.options && f.options.length > 0) {
      err(i, 'options', `only select fields have options, not ${f.kind}`);
    }

    const maxAllowed = MAX_MAX_LENGTH[f.kind];
    if (f.maxLength != null) {
      if (maxAllowed == null) err(i, 'maxLength', `does not apply to ${f.kind}`);
      else if (!Number.isInteger(f.maxLength) || f.maxLength < 1 || f.maxLength > maxAllowed) {
        err(i, 'maxLength', `must be between 1 and ${maxAllowed}`);
      }
    }

    if (f.editableAfterSubmit && f.editableBy.length === 0) {
      err(i, 'editableBy', 'say who may edit the field after submit');
    }
    if (!f.editableAfterSubmit && f.editableBy.length > 0) {
      err(i, 'editableBy', 'only fields editable after submit have editors');
    }
    if (new Set(f.editableBy).size !== f.editableBy.length) err(i, 'editableBy', 'lists an editor twice');
    if (f.editableBy.includes('CREATOR') && !f.customerVisible) {
      // Customers create tickets too: an internal field cannot be edited by its creator.
      err(i, 'editableBy', 'CREATOR can edit only fields visible to customers');
    }
  });
  return errors;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ORDER_REF_RE = /^[A-Za-z0-9][A-Za-z0-9_\-./]*$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type FieldValue = string | number | boolean | string[];

/** True for "nothing entered": the value a required field may not have. */
export function isEmptyValue(v: unknown): boolean {
  return v == null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
}

/**
 * Checks one non-empty value against its definition and returns the normalised value
 * to store, or an error message. USER values are checked for shape here; whether
 * the user exists is the service's question.
 */
export function normalizeFieldValue(
  def: Pick<FieldDefinition, 'kind' | 'options' | 'maxLength'>,
  value: unknown,
): { ok: true; value: FieldValue } | { ok: false; message: string } {
  const fail = (message: string) => ({ ok: false as const, message });
  const max = effectiveMaxLength(def);
  const optionValues = new Set((def.options ?? []).map((o) => o.value));
  switch (def.kind) {
    case 'TEXT':
    case 'LONG_TEXT':
    case 'ORDER_REF': {
      if (typeof value !== 'string') return fail('must be text');
      const v = def.kind === 'LONG_TEXT' ? value : value.trim();
      if (max != null && [...v].length > max) return fail(`at most ${max} characters`);
      if (def.kind === 'TEXT' && /[\r\n]/.test(v)) return fail('must be a single line');
      if (def.kind === 'ORDER_REF' && !ORDER_REF_RE.test(v)) {
        return fail('must be an order or asset number (letters, digits, - _ . /)');
      }
      return { ok: true, value: v };
    }
    case 'NUMBER': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) return fail('must be a number');
      if (Math.abs(n) > 1e15) return fail('is out of range');
      return { ok: true, value: n };
    }
    case 'DATE': {
      const m = typeof value === 'string' ? DATE_RE.exec(value) : null;
      if (!m) return fail('must be a date as YYYY-MM-DD');
      const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      if (d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) return fail('is not a real date');
      return { ok: true, value: value as string };
    }
    case 'SINGLE_SELECT': {
      if (typeof value !== 'string' || !optionValues.has(value)) return fail('is not one of the options');
      return { ok: true, value };
    }
    case 'MULTI_SELECT': {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return fail('must be a list of options');
      const list = value as string[];
      if (new Set(list).size !== list.length) return fail('lists an option twice');
      const bad = list.find((v) => !optionValues.has(v));
      if (bad !== undefined) return fail(`"${bad}" is not one of the options`);
      return { ok: true, value: list };
    }
    case 'CHECKBOX': {
      if (typeof value !== 'boolean') return fail('must be true or false');
      return { ok: true, value };
    }
    case 'USER': {
      if (typeof value !== 'string' || !UUID_RE.test(value)) return fail('must be a user id');
      return { ok: true, value: value.toLowerCase() };
    }
  }
}

export interface FieldValueInput {
  key: string;
  value: unknown;
}

/**
 * Checks submitted custom field values against a template. Customers cannot see
 * internal fields, so to them those fields do not exist. With `checkRequired`, every
 * required field the audience can see must have a value (creation); without it only
 * the submitted ones are checked (editing). An empty value means "no value".
 */
export function validateFieldValues<D extends FieldDefinition & { archived?: boolean }>(
  defs: readonly D[],
  inputs: readonly FieldValueInput[],
  opts: { audience: 'customer' | 'internal'; checkRequired: boolean; path?: string },
): { errors: FieldError[]; values: Map<string, { def: D; value: FieldValue | null }> } {
  const path = opts.path ?? 'fieldValues';
  const errors: FieldError[] = [];
  const values = new Map<string, { def: D; value: FieldValue | null }>();
  const usable = new Map(
    defs.filter((d) => !d.archived && (opts.audience === 'internal' || d.customerVisible)).map((d) => [d.key, d]),
  );
  for (const input of inputs) {
    const at = `${path}.${input.key}`;
    const def = usable.get(input.key);
    if (!def) {
      errors.push({ field: at, message: 'no such field on this ticket type' });
      continue;
    }
    if (values.has(input.key)) {
      errors.push({ field: at, message: 'given twice' });
      continue;
    }
    if (isEmptyValue(input.value)) {
      if (def.required) errors.push({ field: at, message: 'is required' });
      else values.set(input.key, { def, value: null });
      continue;
    }
    const r = normalizeFieldValue(def, input.value);
    if (r.ok) values.set(input.key, { def, value: r.value });
    else errors.push({ field: at, message: r.message });
  }
  if (opts.checkRequired) {
    for (const def of usable.values()) {
      if (def.required && !values.has(def.key) && !errors.some((e) => e.field === `${path}.${def.key}`)) {
        errors.push({ field: `${path}.${def.key}`, message: 'is required' });
      }
    }
  }
  return { errors, values };
}
