// The field template editor's working copy (草稿): the live fields in layout order and
// the archived ones, edited locally and saved as one `setTicketTypeFields` call (the
// list order is the layout; fields left out are archived by the server). Rows carry a
// client id so server field errors (`fields.2.options.0.value`) land on the right row
// even after the list was reordered.
import type {
  FieldDefinitionInput,
  FieldEditor,
  FieldKind,
  SettingsTicketFieldFragment,
} from '../../graphql/generated/graphql.ts';
import type { ServerFieldError } from './server-errors.ts';

export const FIELD_KINDS: readonly FieldKind[] = [
  'TEXT',
  'LONG_TEXT',
  'NUMBER',
  'DATE',
  'SINGLE_SELECT',
  'MULTI_SELECT',
  'CHECKBOX',
  'ORDER_REF',
  'USER',
];
export const FIELD_EDITORS: readonly FieldEditor[] = ['CREATOR', 'ASSIGNEE', 'MANAGER'];

/** Kinds with a length limit, and the largest limit the server accepts. */
export const MAX_LENGTH_LIMITS: Partial<Record<FieldKind, number>> = { TEXT: 1000, LONG_TEXT: 20000, ORDER_REF: 128 };
export const KEY_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;

export const isSelectKind = (k: FieldKind) => k === 'SINGLE_SELECT' || k === 'MULTI_SELECT';
export const hasMaxLength = (k: FieldKind) => MAX_LENGTH_LIMITS[k] != null;

export interface DraftOption {
  value: string;
  label: string;
}

export interface DraftField {
  /** Client id: the server id for saved fields, `new-N` for added ones. */
  uid: string;
  /** Not saved yet: its key may still change, and removing it just drops it. */
  isNew: boolean;
  key: string;
  label: string;
  description: string;
  kind: FieldKind;
  required: boolean;
  customerVisible: boolean;
  editableAfterSubmit: boolean;
  editableBy: FieldEditor[];
  options: DraftOption[];
  maxLength: number | null;
}

export interface TemplateDraft {
  fields: DraftField[];
  archived: DraftField[];
}

let counter = 0;
const newUid = () => `new-${++counter}`;

function fromServerField(f: SettingsTicketFieldFragment): DraftField {
  return {
    uid: f.id,
    isNew: false,
    key: f.key,
    label: f.label,
    description: f.description ?? '',
    kind: f.kind,
    required: f.required,
    customerVisible: f.customerVisible,
    editableAfterSubmit: f.editableAfterSubmit,
    editableBy: [...f.editableBy],
    options: f.options.map((o) => ({ value: o.value, label: o.label })),
    maxLength: f.maxLength ?? null,
  };
}

/** A working copy of a type's template (pass the fields with `includeArchived: true`). */
export function draftFromServer(fields: readonly SettingsTicketFieldFragment[]): TemplateDraft {
  const live = fields.filter((f) => !f.archived).sort((a, b) => a.position - b.position);
  return { fields: live.map(fromServerField), archived: fields.filter((f) => f.archived).map(fromServerField) };
}

/** A key derived from the label when it is plain ASCII, else `field_N`, unique in the draft. */
export function suggestKey(draft: TemplateDraft, label = ''): string {
  const taken = new Set([...draft.fields, ...draft.archived].map((f) => f.key));
  let base = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '')
    .slice(0, 32);
  if (!base) base = 'field';
  if (base !== 'field' && !taken.has(base)) return base;
  for (let n = 1; ; n++) {
    const key = `${base}_${n}`;
    if (!taken.has(key)) return key;
  }
}

/** Appends a new field (one line of text, optional, visible to customers) and returns it. */
export function addField(draft: TemplateDraft, init: Partial<Omit<DraftField, 'uid' | 'isNew'>> = {}): DraftField {
  const field: DraftField = {
    uid: newUid(),
    isNew: true,
    key: init.key ?? suggestKey(draft, init.label),
    label: '',
    description: '',
    kind: 'TEXT',
    required: false,
    customerVisible: true,
    editableAfterSubmit: false,
    editableBy: [],
    options: [],
    maxLength: null,
    ...init,
  };
  draft.fields.push(field);
  return field;
}

/** Moves a field up (-1) or down (+1); false at the ends. */
export function moveField(draft: TemplateDraft, uid: string, delta: -1 | 1): boolean {
  const i = draft.fields.findIndex((f) => f.uid === uid);
  const j = i + delta;
  if (i < 0 || j < 0 || j >= draft.fields.length) return false;
  const [f] = draft.fields.splice(i, 1);
  draft.fields.splice(j, 0, f!);
  return true;
}

/** Moves a field to a position (drag and drop). */
export function moveFieldTo(draft: TemplateDraft, uid: string, to: number): void {
  const i = draft.fields.findIndex((f) => f.uid === uid);
  if (i < 0) return;
  const [f] = draft.fields.splice(i, 1);
  draft.fields.splice(Math.max(0, Math.min(to, draft.fields.length)), 0, f!);
}

/**
 * Removes a field from the template. A saved field is archived (old tickets keep
 * their values and it can be restored); a field added in this draft simply goes.
 */
export function archiveField(draft: TemplateDraft, uid: string): void {
  const i = draft.fields.findIndex((f) => f.uid === uid);
  if (i < 0) return;
  const [f] = draft.fields.splice(i, 1);
  if (!f!.isNew) draft.archived.push(f!);
}

/** Brings an archived field back, at the end of the layout. */
export function restoreField(draft: TemplateDraft, uid: string): void {
  const i = draft.archived.findIndex((f) => f.uid === uid);
  if (i < 0) return;
  const [f] = draft.archived.splice(i, 1);
  draft.fields.push(f!);
}

/** Keeps the dependent settings consistent when the kind or flags change. */
export function normalizeField(f: DraftField): void {
  if (!isSelectKind(f.kind)) f.options = [];
  else if (f.options.length === 0) f.options = [{ value: 'option_1', label: '' }];
  if (!hasMaxLength(f.kind)) f.maxLength = null;
  if (!f.editableAfterSubmit) f.editableBy = [];
  if (!f.customerVisible) f.editableBy = f.editableBy.filter((e) => e !== 'CREATOR');
}

/** The `setTicketTypeFields` input: the live fields in layout order. */
export function toFieldInputs(draft: TemplateDraft): FieldDefinitionInput[] {
  return draft.fields.map((f) => ({
    key: f.key.trim(),
    label: f.label.trim(),
    description: f.description.trim() || null,
    kind: f.kind,
    required: f.required,
    customerVisible: f.customerVisible,
    editableAfterSubmit: f.editableAfterSubmit,
    editableBy: f.editableAfterSubmit ? [...f.editableBy] : [],
    options: isSelectKind(f.kind) ? f.options.map((o) => ({ value: o.value.trim(), label: o.label.trim() })) : null,
    maxLength: hasMaxLength(f.kind) ? f.maxLength : null,
  }));
}

/** True when saving would change the template. */
export function isDirty(draft: TemplateDraft, saved: readonly SettingsTicketFieldFragment[]): boolean {
  return JSON.stringify(toFieldInputs(draft)) !== JSON.stringify(toFieldInputs(draftFromServer(saved)));
}

export interface RowErrors {
  /** Errors by row uid, then by property path within the field (`label`, `options.0.value`). */
  rows: Record<string, Record<string, string>>;
  /** Errors about the template as a whole (`fields`) or that match no row. */
  general: string[];
}

/**
 * Maps server field errors of a `setTicketTypeFields` call to rows. `order` is the uid
 * order of the list that was submitted (the error index refers to it).
 */
export function mapFieldErrors(order: readonly string[], errors: readonly ServerFieldError[], prefix = 'fields'): RowErrors {
  const out: RowErrors = { rows: {}, general: [] };
  const re = new RegExp(`^${prefix}\\.(\\d+)\\.(.+)$`);
  for (const e of errors) {
    const m = re.exec(e.field);
    const uid = m ? order[Number(m[1])] : undefined;
    if (!m || !uid) {
      out.general.push(e.message);
      continue;
    }
    const row = (out.rows[uid] ??= {});
    row[m[2]!] = row[m[2]!] ? `${row[m[2]!]}; ${e.message}` : e.message;
  }
  return out;
}

/** The error for a property of a row, including errors on its children (`options` ← `options.1.label`). */
export function rowError(errors: Record<string, string> | undefined, prop: string): string | undefined {
  if (!errors) return undefined;
  if (errors[prop]) return errors[prop];
  const child = Object.keys(errors).find((k) => k.startsWith(`${prop}.`));
  return child ? errors[child] : undefined;
}
